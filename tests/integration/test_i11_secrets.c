/* Issue 11 against the real programs: no byte of a broken response body reaches `check`'s
 * reports or the failure log (case 1). */
#include "testing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_support.h"
#include "http.h"

#define DEADLINE_MS 10000

static const char one_org[] = CHK_ORG("faulty", "org_a", "active");

/* Whether some 4-byte window of value is both in the truncated body and in text. */
static const char *leaked_window(const char *value, const char *body, const char *text)
{
    static char w[5];
    size_t n = strlen(value);
    for (size_t i = 0; i + 4 <= n; i++) {
        memcpy(w, value + i, 4);
        w[4] = '\0';
        if (strstr(body, w) && strstr(text, w))
            return w;
    }
    return NULL;
}

/* Case 1: a truncated 2xx page was summarised with jansson's error text, which quotes the
 * body near the cut ("near '\"raph'"): a patient's data in check's output and the log. */
START_TEST(truncated_body_reaches_no_output)
{
    static const char *const fields[] = {"mrn", "firstName", "middleName", "lastName", "email",
                                         "phone"};
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    /* The body check gets, cut where the sandbox cuts it (half its length). */
    struct http_resp clean;
    sbt_get(&sb, "/patients?page=1&pageSize=1", K_ACTIVE, "org_a", &clean);
    ck_assert_int_eq(clean.status, 200);
    json_t *doc = http_json(&clean);
    json_t *patient = sbt_jget(doc, "data.patients.0");
    ck_assert_ptr_nonnull(patient);
    char *cut = strndup(clean.body, clean.body_len / 2);

    sbt_add_fault(&sb, "{\"fault\": \"truncate\", \"org\": \"org_a\", \"path\": \"/patients\"}");
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, one_org);
    for (int json = 0; json <= 1; json++) {
        struct chk_out o;
        chk_run(&c, json ? (const char *[]){"--json", NULL} : NULL, DEADLINE_MS, &o);
        ck_assert_int_eq(o.r.status, 1);
        size_t loglen = 0;
        char *log = test_read_file(c.log, &loglen);
        ck_assert_ptr_nonnull(log);
        const char *channels[][2] = {{"stdout", o.r.out}, {"stderr", o.r.err}, {"log", log}};
        for (size_t ch = 0; ch < 3; ch++) {
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
                const char *v = json_string_value(json_object_get(patient, fields[f]));
                const char *w = v ? leaked_window(v, cut, channels[ch][1]) : NULL;
                ck_assert_msg(!w, "%s: 4 bytes '%s' of the patient's %s in %s",
                              json ? "--json" : "text", w, fields[f], channels[ch][0]);
            }
        }
        ck_assert_msg(strstr(log, "not JSON"), "the log does not describe the body: %s", log);
        free(log);
        chk_out_free(&o);
    }
    free(cut);
    json_decref(doc);
    http_resp_free(&clean);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* Case 2: a key file as `pass show` writes it (the key, then login and recovery-code lines,
 * with CRLF) used to be sent whole: the extra lines became headers and the mask showed the
 * end of the recovery code. Its first line is the key. */
START_TEST(key_file_first_line_is_the_key)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    char keyfile[4200];
    snprintf(keyfile, sizeof keyfile, "%s/pass.key", c.dir);
    ck_assert(test_write_file(keyfile, "  " K_ACTIVE " \r\nlogin: jane\r\n"
                                       "recovery-code: RCVRY-XYZ\r\n", 0600));
    char *cfg = NULL;
    ck_assert(asprintf(&cfg, "[maxdash]\nbase_url = %s\nlog_file = %s\n[key \"pass\"]\n"
                             "file = %s\n[org \"clinic\"]\nid = org_a\nkey = pass\n",
                       sb.base_url, c.log, keyfile) > 0);
    chk_config_raw(&c, cfg);
    free(cfg);
    struct chk_out o;
    chk_run(&c, (const char *[]){"--json", NULL}, DEADLINE_MS, &o);
    ck_assert_msg(o.r.status == 0, "exit %d: %s%s", o.r.status, o.r.out, o.r.err);
    json_t *org = chk_org(o.doc, "clinic");
    const char *hint = sbt_jstr(org, "key.hint");
    ck_assert_str_eq(hint, "max_dev_ak_TES\xE2\x80\xA6" "001");
    ck_assert_msg(!json_object_get(org, "warnings") ||
                      json_array_size(json_object_get(org, "warnings")) == 0,
                  "warnings: %s", o.r.out);
    ck_assert_msg(!strstr(o.r.out, "XYZ") && !strstr(o.r.err, "XYZ"), "recovery code shown");
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* A loopback "proxy" that records every byte that reaches it and answers 502. */
struct rec_proxy {
    int fd, port;
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    char got[16384];
    size_t len;
};

static void *rec_proxy_main(void *arg)
{
    struct rec_proxy *p = arg;
    while (!p->stop) {
        struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        int c = accept(p->fd, NULL, NULL);
        if (c < 0)
            continue;
        struct pollfd cp = {.fd = c, .events = POLLIN};
        while (poll(&cp, 1, 200) > 0) {
            char buf[2048];
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0)
                break;
            pthread_mutex_lock(&p->lock);
            size_t room = sizeof p->got - 1 - p->len;
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(p->got + p->len, buf, take);
            p->len += take;
            p->got[p->len] = '\0';
            pthread_mutex_unlock(&p->lock);
            if (memmem(buf, (size_t)n, "\r\n\r\n", 4))
                break;
        }
        static const char answer[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                                     "Connection: close\r\n\r\n";
        ssize_t w = write(c, answer, sizeof answer - 1);
        (void)w;
        close(c);
    }
    return NULL;
}

static void rec_proxy_start(struct rec_proxy *p)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert(p->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert(bind(p->fd, (struct sockaddr *)&a, sizeof a) == 0);
    ck_assert(listen(p->fd, 16) == 0);
    socklen_t al = sizeof a;
    ck_assert(getsockname(p->fd, (struct sockaddr *)&a, &al) == 0);
    p->port = ntohs(a.sin_port);
    ck_assert(pthread_create(&p->thread, NULL, rec_proxy_main, p) == 0);
}

static void rec_proxy_stop(struct rec_proxy *p)
{
    p->stop = 1;
    pthread_join(p->thread, NULL);
    close(p->fd);
    pthread_mutex_destroy(&p->lock);
}

/* Case 3: with http_proxy/ALL_PROXY set, libcurl sent the request to the loopback sandbox
 * through the proxy, Authorization and all, in clear text. Loopback is never proxied. */
START_TEST(loopback_is_never_proxied)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct rec_proxy px;
    rec_proxy_start(&px);
    struct chk c;
    chk_init(&c);
    chk_config(&c, sb.base_url, NULL, one_org);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", px.port);
    static char vars[6][96];
    static const char *const names[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
                                        "HTTPS_PROXY", "ALL_PROXY", "all_proxy"};
    const char *env[7];
    for (size_t i = 0; i < 6; i++) {
        snprintf(vars[i], sizeof vars[i], "%s=%s", names[i], url);
        env[i] = vars[i];
    }
    env[6] = NULL;
    struct chk_out o;
    chk_run_env(&c, (const char *[]){"--json", NULL}, env, DEADLINE_MS, &o);
    pthread_mutex_lock(&px.lock);
    bool reached = px.len > 0;
    bool auth = strstr(px.got, "uthorization") != NULL;
    pthread_mutex_unlock(&px.lock);
    rec_proxy_stop(&px);
    ck_assert_msg(!auth, "the Authorization header reached the proxy");
    ck_assert_msg(!reached, "a request to the loopback sandbox went through the proxy");
    ck_assert_msg(o.r.status == 0, "exit %d: %s", o.r.status, o.r.out);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

/* Copies the file from to the new file to with mode; the test fails when it cannot. */
static void copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    ck_assert_msg(in >= 0, "cannot open %s", from);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    ck_assert_msg(out >= 0, "cannot create %s", to);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        ck_assert(write(out, buf, (size_t)n) == n);
    ck_assert(n == 0);
    close(in);
    ck_assert(fchmod(out, mode) == 0 && close(out) == 0);
}

/* Case 7: another process of the user read whole keys from /proc/PID/mem. maxdash is not
 * dumpable: its /proc/PID entries belong to root and another process of the user cannot open
 * its memory. As root (CI) maxdash runs as nobody, so that the difference shows. */
START_TEST(process_is_not_dumpable)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_a\"}");
    /* Under /tmp itself, so that nobody can reach it. */
    char dir[] = "/tmp/maxdash-i11.XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char cfgpath[128], *cfg = NULL;
    snprintf(cfgpath, sizeof cfgpath, "%s/config.ini", dir);
    ck_assert(asprintf(&cfg, "[maxdash]\nbase_url = %s\nlog_file = %s/auth.jsonl\n[key \"k\"]\n"
                             "env = I11_KEY\n[org \"o\"]\nid = org_a\nkey = k\n",
                       sb.base_url, dir) > 0);
    ck_assert(test_write_file(cfgpath, cfg, 0600));
    free(cfg);
    bool root = geteuid() == 0;
    const uid_t nobody = 65534;
    if (root) {
        ck_assert(chown(dir, nobody, nobody) == 0);
        ck_assert(chown(cfgpath, nobody, nobody) == 0);
    }
    /* A copy in dir: nobody may not reach the build tree (a checkout under /root, mode 0700,
     * as on a fresh machine), and an exec that fails looks like a maxdash that ended. */
    char built[4096], maxdash[4200];
    test_program("maxdash", built, sizeof built);
    snprintf(maxdash, sizeof maxdash, "%s/maxdash", dir);
    copy_file(built, maxdash, 0755);
    char home[256], key[128];
    snprintf(home, sizeof home, "HOME=%s", dir);
    snprintf(key, sizeof key, "I11_KEY=%s", K_ACTIVE);
    char *envp[] = {"PATH=/usr/bin:/bin", home, key, "LC_ALL=C.UTF-8", NULL};
    char *argv[] = {maxdash, "check", "-c", cfgpath, "--timeout", "3", NULL};
    /* Closed by the child's exec: its end of file says maxdash runs (before it, the ids'
     * change makes the child non-dumpable for a moment, which must not count). */
    int execd[2];
    ck_assert(pipe2(execd, O_CLOEXEC) == 0);
    pid_t pid = fork();
    if (pid == 0) { /* nothing but system calls here: the parent may have threads */
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0), dup2(null, 1), dup2(null, 2);
        /* Raw system calls: glibc's wrappers signal every thread of the parent, and wait. */
        if (root && (syscall(SYS_setgroups, 0, NULL) != 0 ||
                     syscall(SYS_setresgid, nobody, nobody, nobody) != 0 ||
                     syscall(SYS_setresuid, nobody, nobody, nobody) != 0 ||
                     /* a change of ids makes a process non-dumpable until its exec: undo
                      * that, so that only maxdash itself can make the difference */
                     syscall(SYS_prctl, PR_SET_DUMPABLE, 1L, 0L, 0L, 0L) != 0))
            _exit(126);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    ck_assert(pid > 0);
    close(execd[1]);
    struct pollfd pfd = {.fd = execd[0], .events = POLLIN};
    char byte;
    ck_assert_msg(poll(&pfd, 1, 3000) == 1 && read(execd[0], &byte, 1) == 0,
                  "maxdash did not start");
    close(execd[0]);
    char exe[64], mem[64], stat[64], target[4200];
    snprintf(exe, sizeof exe, "/proc/%d/exe", (int)pid);
    snprintf(mem, sizeof mem, "/proc/%d/mem", (int)pid);
    snprintf(stat, sizeof stat, "/proc/%d/stat", (int)pid);
    bool protected = false, ran = false;
    long long deadline = test_now_ms() + 2500; /* maxdash runs 3 s (the hang) */
    while (!protected && test_now_ms() < deadline) {
        /* Looked at as another process of maxdash's user would: as root, with nobody's
         * effective ids (root's capabilities go with them). */
        if (root)
            ck_assert(setegid(nobody) == 0 && seteuid(nobody) == 0);
        ssize_t n = readlink(exe, target, sizeof target - 1);
        int e = errno;
        bool started = n > 0 && (target[n] = '\0', strcmp(target, maxdash) == 0);
        ran |= started;
        if (n < 0 && e == EACCES) {
            protected = true; /* the test's own fork was readable: this is maxdash, hidden */
        } else if (started) {
            int fd = open(mem, O_RDONLY);
            protected = fd < 0 && errno == EACCES;
            if (fd >= 0)
                close(fd);
        }
        if (root)
            ck_assert(seteuid(0) == 0 && setegid(0) == 0);
        if (!protected)
            poll(NULL, 0, 5);
    }
    /* Still running (not a zombie, not gone): the answer was about maxdash at work. */
    size_t len = 0;
    char *st = test_read_file(stat, &len);
    const char *close_paren = st ? strrchr(st, ')') : NULL;
    bool alive = close_paren && close_paren[1] == ' ' && close_paren[2] != 'Z';
    free(st);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    test_rmtree(dir);
    sandbox_free(&sb);
    ck_assert_msg(alive, "maxdash was not running any more when looked at");
    ck_assert_msg(protected, "maxdash stayed dumpable: another process of its user could "
                  "open its /proc/PID/mem%s", ran ? "" : " (never seen running)");
}
END_TEST

/* Case 5: a config that others can write was accepted ("0 warnings") and its commands ran. */
START_TEST(config_writable_by_others_is_refused)
{
    struct chk c;
    chk_init(&c);
    chk_config(&c, "http://127.0.0.1:9/v1", NULL, one_org);
    ck_assert(chmod(c.cfg, 0666) == 0);
    struct chk_out o;
    chk_run(&c, NULL, DEADLINE_MS, &o);
    ck_assert_int_eq(o.r.status, 2);
    ck_assert_msg(strstr(o.r.err, "config.ini: can be written by group or others (mode 0666)"),
                  "stderr: %s", o.r.err);
    chk_out_free(&o);
    chk_free(&c);
}
END_TEST

/* Case 4 on stderr: a message quoting a value (here the log path, where a key was pasted)
 * masks it; chk_run fails on a whole test key in stderr. */
START_TEST(message_quoting_a_key_masks_it)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct chk c;
    chk_init(&c);
    char file[4200], *cfg = NULL;
    snprintf(file, sizeof file, "%s/afile", c.dir);
    ck_assert(test_write_file(file, "", 0600));
    /* The log directory cannot be made: a file stands where a directory should. */
    ck_assert(asprintf(&cfg, "[maxdash]\nbase_url = %s\nlog_file = %s/" K_ACTIVE "/log.jsonl\n"
                             "%s" CHK_ORG("faulty", "org_a", "active"),
                       sb.base_url, file, chk_key_sections()) > 0);
    chk_config_raw(&c, cfg);
    free(cfg);
    struct chk_out o;
    chk_run(&c, NULL, DEADLINE_MS, &o);
    ck_assert_msg(strstr(o.r.err, "max_dev_ak_TES\xE2\x80\xA6" "001"),
                  "no masked key in the message: %s", o.r.err);
    chk_out_free(&o);
    chk_free(&c);
    sandbox_free(&sb);
}
END_TEST

SUITE(i11_secrets)
{
    Suite *s = suite_create("i11_secrets");
    TCase *tc = tcase_create("i11_secrets");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, truncated_body_reaches_no_output);
    tcase_add_test(tc, key_file_first_line_is_the_key);
    tcase_add_test(tc, loopback_is_never_proxied);
    tcase_add_test(tc, process_is_not_dumpable);
    tcase_add_test(tc, config_writable_by_others_is_refused);
    tcase_add_test(tc, message_quoting_a_key_masks_it);
    suite_add_tcase(s, tc);
    return s;
}
