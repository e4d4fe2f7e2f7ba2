/* Test support: run maxdash-sandbox on a free loopback port for one test. */
#include "sandbox_proc.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

/* Sandboxes this process started and has not yet reaped: killed at exit, so that a failed
 * assertion (which exits the forked test process) leaves nothing behind. */
#define MAX_LIVE 16
static pid_t live[MAX_LIVE];
static bool atexit_done;

static char *live_dirs[MAX_LIVE];

static void kill_live(void)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
    }
    for (int i = 0; i < MAX_LIVE; i++) {
        if (live_dirs[i]) {
            test_rmtree(live_dirs[i]);
            live_dirs[i] = NULL;
        }
    }
}

/* Temp dirs of sandboxes not yet freed: removed at exit too (the strings stay owned by the
 * struct sandbox). */
static void dir_track(char *dir, bool add)
{
    if (!atexit_done) {
        atexit(kill_live);
        atexit_done = true;
    }
    for (int i = 0; i < MAX_LIVE; i++) {
        if (add ? live_dirs[i] == NULL : live_dirs[i] == dir) {
            live_dirs[i] = add ? dir : NULL;
            return;
        }
    }
}

static void live_add(pid_t pid)
{
    if (!atexit_done) {
        atexit(kill_live);
        atexit_done = true;
    }
    for (int i = 0; i < MAX_LIVE; i++) {
        if (live[i] == 0) {
            live[i] = pid;
            return;
        }
    }
}

static void live_remove(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] == pid)
            live[i] = 0;
}

static char *tmp_root;
static char *saved_tmpdir;

void sandbox_tmp_setup(void)
{
    if (tmp_root)
        return;
    const char *t = getenv("TMPDIR");
    saved_tmpdir = t ? strdup(t) : NULL;
    tmp_root = test_tmpdir();
    setenv("TMPDIR", tmp_root, 1);
}

void sandbox_tmp_teardown(void)
{
    if (!tmp_root)
        return;
    test_rmtree(tmp_root);
    free(tmp_root);
    tmp_root = NULL;
    if (saved_tmpdir)
        setenv("TMPDIR", saved_tmpdir, 1);
    else
        unsetenv("TMPDIR");
    free(saved_tmpdir);
    saved_tmpdir = NULL;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static char *path_in(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        abort();
    return p;
}

/* Parses "listening on SCHEME://HOST:PORT/v1". */
static bool parse_listen_line(struct sandbox *sb, const char *line)
{
    const char *pfx = "listening on ";
    if (strncmp(line, pfx, strlen(pfx)) != 0)
        return false;
    const char *url = line + strlen(pfx);
    if (strncmp(url, "https://", 8) == 0)
        sb->tls = true;
    else if (strncmp(url, "http://", 7) != 0)
        return false;
    size_t ulen = strlen(url);
    if (ulen < 4 || ulen >= sizeof sb->base_url || strcmp(url + ulen - 3, "/v1") != 0)
        return false;
    snprintf(sb->base_url, sizeof sb->base_url, "%s", url);
    snprintf(sb->root_url, sizeof sb->root_url, "%.*s", (int)(ulen - 3), url);
    const char *colon = strrchr(sb->root_url, ':');
    if (!colon || colon[1] < '0' || colon[1] > '9')
        return false;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535)
        return false;
    sb->port = (int)port;
    return true;
}

bool sandbox_start_opts(struct sandbox *sb, const struct sandbox_opts *opts, const char **why)
{
    static const char *dummy;
    if (!why)
        why = &dummy;
    memset(sb, 0, sizeof *sb);
    sb->out_fd = -1;
    sb->dir = test_tmpdir();
    dir_track(sb->dir, true);
    sb->data_path = path_in(sb->dir, "data.json");
    sb->port_path = path_in(sb->dir, "port");
    sb->err_path = path_in(sb->dir, "stderr.log");
    if (opts->data && !test_write_file(sb->data_path, opts->data, 0600)) {
        *why = "cannot write the data file";
        return false;
    }

    char prog[4096];
    test_program("maxdash-sandbox", prog, sizeof prog);
    const char *argv[64];
    int argc = 0;
    argv[argc++] = prog;
    argv[argc++] = "--port";
    argv[argc++] = "0";
    argv[argc++] = "--port-file";
    argv[argc++] = sb->port_path;
    if (!opts->verbose)
        argv[argc++] = "--quiet";
    if (opts->data) {
        argv[argc++] = "--data";
        argv[argc++] = sb->data_path;
    }
    for (size_t i = 0; opts->extra && opts->extra[i] && argc < 62; i++)
        argv[argc++] = opts->extra[i];
    argv[argc] = NULL;

    int outp[2];
    if (pipe2(outp, O_CLOEXEC) < 0) {
        *why = "pipe failed";
        return false;
    }
    int errfd = open(sb->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (errfd < 0) {
        close(outp[0]), close(outp[1]);
        *why = "cannot create the stderr log";
        return false;
    }
    pid_t parent = getpid();
    sb->started_ms = test_now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        close(outp[0]), close(outp[1]), close(errfd);
        *why = "fork failed";
        return false;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(outp[1], 1);
        dup2(errfd, 2);
        execv(prog, (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    close(outp[1]);
    close(errfd);
    sb->pid = pid;
    sb->out_fd = outp[0];
    live_add(pid);

    int timeout = opts->start_timeout_ms > 0 ? opts->start_timeout_ms : 5000;
    long long deadline = test_now_ms() + timeout;
    char line[512];
    size_t n = 0;
    for (;;) {
        long long left = deadline - test_now_ms();
        if (left <= 0) {
            *why = "no listening line before the deadline";
            break;
        }
        struct pollfd pfd = {sb->out_fd, POLLIN, 0};
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t got = read(sb->out_fd, line + n, sizeof line - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            *why = "the sandbox exited before listening";
            break;
        }
        n += (size_t)got;
        line[n] = '\0';
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
            snprintf(sb->listen_line, sizeof sb->listen_line, "%.255s", line);
            if (parse_listen_line(sb, line))
                return true;
            *why = "unexpected first line on stdout";
            break;
        }
        if (n >= sizeof line - 1) {
            *why = "overlong first line on stdout";
            break;
        }
    }
    sandbox_stop_sig(sb, SIGKILL, 2000);
    return false;
}

void sandbox_start(struct sandbox *sb, const char *data, const char *const extra[])
{
    struct sandbox_opts o = {.data = data, .extra = extra};
    const char *why = NULL;
    if (!sandbox_start_opts(sb, &o, &why)) {
        char *err = sandbox_stderr(sb);
        ck_abort_msg("sandbox did not start: %s; stdout line: '%s'; stderr: %.600s", why,
                     sb->listen_line, err);
        free(err);
    }
}

int sandbox_stop_sig(struct sandbox *sb, int sig, int timeout_ms)
{
    if (sb->pid <= 0)
        return -1;
    if (timeout_ms <= 0)
        timeout_ms = 5000;
    kill(sb->pid, sig);
    long long deadline = test_now_ms() + timeout_ms;
    int st = 0;
    int result = -1;
    for (;;) {
        pid_t w = waitpid(sb->pid, &st, WNOHANG);
        if (w == sb->pid) {
            result = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (w < 0 && errno != EINTR)
            break;
        if (test_now_ms() >= deadline) {
            kill(sb->pid, SIGKILL);
            waitpid(sb->pid, NULL, 0);
            result = -1;
            break;
        }
        /* Wait on its stdout closing (it exits) rather than sleeping blindly. */
        if (sb->out_fd >= 0) {
            struct pollfd pfd = {sb->out_fd, POLLIN, 0};
            if (poll(&pfd, 1, 20) > 0) {
                char buf[256];
                if (read(sb->out_fd, buf, sizeof buf) == 0) {
                    close(sb->out_fd);
                    sb->out_fd = -1;
                }
            }
        } else {
            poll(NULL, 0, 10);
        }
    }
    live_remove(sb->pid);
    sb->pid = 0;
    if (sb->out_fd >= 0) {
        close(sb->out_fd);
        sb->out_fd = -1;
    }
    return result;
}

int sandbox_stop(struct sandbox *sb)
{
    return sandbox_stop_sig(sb, SIGTERM, 5000);
}

void sandbox_free(struct sandbox *sb)
{
    if (sb->pid > 0)
        sandbox_stop_sig(sb, SIGKILL, 2000);
    if (sb->dir)
        dir_track(sb->dir, false);
    test_rmtree(sb->dir);
    free(sb->dir);
    free(sb->data_path);
    free(sb->port_path);
    free(sb->err_path);
    memset(sb, 0, sizeof *sb);
    sb->out_fd = -1;
}

char *sandbox_stderr(const struct sandbox *sb)
{
    char *s = sb->err_path ? test_read_file(sb->err_path, NULL) : NULL;
    return s ? s : strdup("");
}

bool sandbox_wait_stderr(const struct sandbox *sb, const char *needle, int timeout_ms)
{
    long long deadline = test_now_ms() + timeout_ms;
    for (;;) {
        char *s = sandbox_stderr(sb);
        bool found = strstr(s, needle) != NULL;
        free(s);
        if (found)
            return true;
        if (test_now_ms() >= deadline)
            return false;
        poll(NULL, 0, 20);
    }
}

const char *sandbox_url(const struct sandbox *sb, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", sb->base_url, path);
    return buf;
}

const char *sandbox_root(const struct sandbox *sb, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", sb->root_url, path);
    return buf;
}

/* ---- Helpers shared by the sandbox integration tests ------------------------------------ */

#include <ctype.h>
#include <stdarg.h>
#include <limits.h>
#include <time.h>

#define SARAH                                                                                 \
    "{\"id\": \"" PAT_SARAH "\", \"mrn\": \"MRN-10042\", \"firstName\": \"Sarah\","           \
    " \"middleName\": \"Marie\", \"lastName\": \"Johnson\", \"gender\": \"Female\","          \
    " \"dateOfBirth\": \"1985-03-15\", \"email\": \"sarah.johnson@email.com\","               \
    " \"phone\": \"(555) 123-4567\", \"createdAt\": \"2024-08-15T09:30:00.000Z\","            \
    " \"updatedAt\": \"2024-08-16T10:00:00.000Z\", \"extraField\": {\"kept\": [1, 2]}}"

const char sandbox_test_sarah[] = SARAH;

const char sandbox_test_data[] =
    "{\"apps\": [{\"id\": \"app_test\", \"slug\": \"test-app\", \"liveVersionId\": \"ver_1\"},\n"
    "          {\"id\": \"app_other\"}],\n"
    " \"keys\": [\n"
    "  {\"value\": \"" K_ACTIVE "\", \"app\": \"app_test\","
    "   \"scopes\": [\"read:patients\", \"read:appointments\"], \"state\": \"active\"},\n"
    "  {\"value\": \"" K_REVOKED "\", \"app\": \"app_test\","
    "   \"scopes\": [\"read:patients\"], \"state\": \"revoked\"},\n"
    "  {\"value\": \"" K_EXPIRED "\", \"app\": \"app_test\","
    "   \"scopes\": [\"read:patients\"], \"state\": \"expired\"},\n"
    "  {\"value\": \"" K_APPTS "\", \"app\": \"app_test\", \"scopes\": [\"read:appointments\"]},\n"
    "  {\"value\": \"" K_MESCOPE "\", \"app\": \"app_test\", \"scopes\": [\"read:patients\"],"
    "   \"me_requires_scope\": true},\n"
    "  {\"value\": \"" K_MEOK "\", \"app\": \"app_test\","
    "   \"scopes\": [\"read:patients\", \"read:marketplace\"], \"me_requires_scope\": true},\n"
    "  {\"value\": \"" K_OTHER "\", \"app\": \"app_other\", \"scopes\": [\"read:patients\"]}],\n"
    " \"orgs\": [\n"
    "  {\"id\": \"org_a\",\n"
    "   \"installs\": [{\"app\": \"app_test\","
    "     \"scopes\": [\"read:patients\", \"read:appointments\", \"read:marketplace\"]},\n"
    "                {\"app\": \"app_other\", \"scopes\": [\"read:patients\", \"read:appointments\"]}],\n"
    "   \"patients\": [\n    " SARAH ",\n"
    "    {\"id\": \"" PAT_JOSE "\", \"mrn\": \"MRN-20077\", \"firstName\": \"Jos\xc3\xa9\","
    "     \"middleName\": null, \"lastName\": \"Garc\xc3\xad" "a\", \"gender\": \"Male\","
    "     \"dateOfBirth\": null, \"email\": null, \"phone\": null},\n"
    "    {\"id\": \"" PAT_JOHN "\", \"mrn\": null, \"firstName\": \"John\", \"lastName\": \"Smith\"},\n"
    "    {\"id\": \"" PAT_ANA "\", \"mrn\": \"mrn-30001\", \"firstName\": \"Ana\","
    "     \"middleName\": \"Lucia\", \"lastName\": \"Johnston\"},\n"
    "    {\"id\": \"" PAT_WEI "\", \"mrn\": \"MRN-40000\", \"firstName\": \"Wei\","
    "     \"lastName\": \"Zhang\"}]},\n"
    "  {\"id\": \"org_noscope\", \"installs\": [{\"app\": \"app_test\","
    "    \"scopes\": [\"read:appointments\", \"read:marketplace\"]}],"
    "   \"patients\": {\"generate\": 3, \"seed\": 1}},\n"
    "  {\"id\": \"org_none\", \"patients\": {\"generate\": 3, \"seed\": 1}},\n"
    "  {\"id\": \"org_gen\", \"installs\": [{\"app\": \"app_test\", \"scopes\": [\"read:patients\"]}],"
    "   \"patients\": {\"generate\": 250, \"seed\": 7}},\n"
    "  {\"id\": \"org_empty\", \"installs\": [{\"app\": \"app_test\", \"scopes\": [\"read:patients\"]}],"
    "   \"patients\": []}]}\n";

static char why_buf[1024];

__attribute__((format(printf, 2, 3)))
static const char *sbt_fail(const struct http_resp *r, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* Bodies of API errors hold no key; cut them short anyway. */
    snprintf(why_buf, sizeof why_buf, "%s [curl %d, HTTP %ld, body: %.200s]", what,
             (int)r->curl_code, r->status, r->body ? r->body : "");
    return why_buf;
}

bool sbt_is_uuid_v4(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return s[14] == '4' && strchr("89abAB", s[19]) != NULL;
}

static bool is_json_ct(const struct http_resp *r)
{
    const char *ct = http_header(r, "Content-Type");
    return ct && strncasecmp(ct, "application/json", 16) == 0;
}

const char *sbt_check_error(const struct http_resp *r, long status, const char *code,
                            const char *message)
{
    if (r->curl_code != CURLE_OK)
        return sbt_fail(r, "request failed: %s", r->error);
    if (r->status != status) {
        return sbt_fail(r, "expected HTTP %ld", status);
    }
    if (!is_json_ct(r))
        return sbt_fail(r, "Content-Type is %s, not application/json", http_header(r, "Content-Type") ? http_header(r, "Content-Type") : "(none)");
    json_t *j = http_json(r);
    if (!json_is_object(j)) {
        json_decref(j);
        return sbt_fail(r, "%s", "body is not a JSON object");
    }
    const char *why = NULL;
    json_t *c = json_object_get(j, "code"), *m = json_object_get(j, "message"),
           *t = json_object_get(j, "trace_id");
    if (json_object_size(j) != 3 || !json_is_string(c) || !json_is_string(m) || !json_is_string(t))
        why = sbt_fail(r, "%s", "envelope is not exactly {code, message, trace_id} strings");
    else if (code && strcmp(json_string_value(c), code) != 0)
        why = sbt_fail(r, "expected code %s", code);
    else if (message && strcmp(json_string_value(m), message) != 0)
        why = sbt_fail(r, "expected message '%s'", message);
    else if (!sbt_is_uuid_v4(json_string_value(t)))
        why = sbt_fail(r, "%s", "trace_id is not a UUID v4");
    json_decref(j);
    return why;
}

const char *sbt_check_ok(const struct http_resp *r, json_t **root)
{
    *root = NULL;
    if (r->curl_code != CURLE_OK)
        return sbt_fail(r, "request failed: %s", r->error);
    if (r->status != 200)
        return sbt_fail(r, "%s", "expected HTTP 200");
    if (!is_json_ct(r))
        return sbt_fail(r, "Content-Type is %s, not application/json", http_header(r, "Content-Type") ? http_header(r, "Content-Type") : "(none)");
    json_t *j = http_json(r);
    if (!json_is_object(j) || json_object_size(j) != 2 ||
        !json_is_string(json_object_get(j, "code")) ||
        strcmp(json_string_value(json_object_get(j, "code")), "success") != 0 ||
        !json_object_get(j, "data")) {
        json_decref(j);
        return sbt_fail(r, "%s", "not exactly {\"code\": \"success\", \"data\": ...}");
    }
    *root = j;
    return NULL;
}

static bool all_digits(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

const char *sbt_check_ratelimit(const struct http_resp *r)
{
    const char *lim = http_header(r, "X-RateLimit-Limit");
    const char *rem = http_header(r, "X-RateLimit-Remaining");
    const char *rst = http_header(r, "X-RateLimit-Reset");
    if (!all_digits(lim) || !all_digits(rem) || !all_digits(rst))
        return sbt_fail(r, "%s", "X-RateLimit-Limit/Remaining/Reset missing or not decimal");
    long long l = atoll(lim), m = atoll(rem), t = atoll(rst);
    if (m > l)
        return sbt_fail(r, "%s", "X-RateLimit-Remaining above the limit");
    long long now = (long long)time(NULL);
    if (t < now - 2 || t > now + 3600 * 24)
        return sbt_fail(r, "X-RateLimit-Reset %s is not a near Unix time in seconds", rst);
    return NULL;
}

json_t *sbt_jget(json_t *root, const char *path)
{
    json_t *cur = root;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(cur) && all_digits(tok))
            cur = json_array_get(cur, (size_t)atol(tok));
        else if (json_is_object(cur))
            cur = json_object_get(cur, tok);
        else
            cur = NULL;
    }
    return cur;
}

long long sbt_jint(json_t *root, const char *path)
{
    json_t *v = sbt_jget(root, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : LLONG_MIN;
}

const char *sbt_jstr(json_t *root, const char *path)
{
    return json_string_value(sbt_jget(root, path));
}

bool sbt_jstrset(json_t *root, const char *path, const char *const want[])
{
    json_t *a = sbt_jget(root, path);
    if (!json_is_array(a))
        return false;
    size_t n = 0;
    for (; want[n]; n++) {
        bool found = false;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) {
            if (json_is_string(v) && strcmp(json_string_value(v), want[n]) == 0)
                found = true;
        }
        if (!found)
            return false;
    }
    return json_array_size(a) == n;
}

void sbt_get(const struct sandbox *sb, const char *path, const char *key, const char *org,
             struct http_resp *r)
{
    char url[1024];
    http_get(sandbox_url(sb, path, url, sizeof url), key, org, r);
}

void sbt_ctl(const struct sandbox *sb, const char *method, const char *path, const char *body,
             struct http_resp *r)
{
    char url[1024];
    http_send(method, sandbox_root(sb, path, url, sizeof url), body, r);
}

json_t *sbt_ctl_json(const struct sandbox *sb, const char *method, const char *path,
                     const char *body, long status)
{
    struct http_resp r;
    sbt_ctl(sb, method, path, body, &r);
    ck_assert_msg(r.curl_code == CURLE_OK, "%s %s: curl error %d", method, path, (int)r.curl_code);
    ck_assert_msg(r.status == status, "%s %s %s: HTTP %ld, expected %ld; body %.300s", method,
                  path, body ? body : "", r.status, status, r.body);
    json_t *j = http_json(&r);
    ck_assert_msg(j != NULL, "%s %s: answer is not JSON: %.300s", method, path, r.body);
    http_resp_free(&r);
    return j;
}

long long sbt_add_fault(const struct sandbox *sb, const char *json_text)
{
    json_t *j = sbt_ctl_json(sb, "POST", "/_sandbox/faults", json_text, 201);
    json_t *id = json_object_get(j, "id");
    ck_assert_msg(json_is_integer(id), "POST /_sandbox/faults %s: no integer id", json_text);
    long long v = (long long)json_integer_value(id);
    json_decref(j);
    return v;
}

void sbt_clear_faults(const struct sandbox *sb)
{
    struct http_resp r;
    sbt_ctl(sb, "DELETE", "/_sandbox/faults", NULL, &r);
    ck_assert_msg(r.curl_code == CURLE_OK && r.status >= 200 && r.status < 300,
                  "DELETE /_sandbox/faults: curl %d HTTP %ld", (int)r.curl_code, r.status);
    http_resp_free(&r);
}

long long sbt_wait_stat(const struct sandbox *sb, const char *path, long long want,
                        int timeout_ms)
{
    long long deadline = test_now_ms() + timeout_ms, v = LLONG_MIN;
    for (;;) {
        json_t *j = sbt_ctl_json(sb, "GET", "/_sandbox/stats", NULL, 200);
        v = sbt_jint(j, path);
        json_decref(j);
        if (v == want || test_now_ms() >= deadline)
            return v;
        poll(NULL, 0, 25);
    }
}
