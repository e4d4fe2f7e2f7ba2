/* maxdash-sandbox as a program: its command line, data file checks, start-up errors, signals,
 * TLS, IPv6, the request log, --latency, --chaos, and the bundled demo data. */
#include "testing.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"
#include "sandbox_proc.h"

#define ME "/marketplace/me"
#define PATIENTS "/patients"

/* Runs the sandbox with --port 0 --quiet and args (NULL-terminated), expecting it to refuse to
 * start: exit status 2, nothing on stdout, exactly one line on stderr containing each of the
 * NULL-terminated needles. */
static void assert_refuses(const char *const args[], const char *const needles[])
{
    char prog[4096];
    test_program("maxdash-sandbox", prog, sizeof prog);
    const char *argv[40];
    int argc = 0;
    argv[argc++] = prog;
    argv[argc++] = "--port";
    argv[argc++] = "0";
    argv[argc++] = "--quiet";
    char shown[512] = "";
    for (size_t i = 0; args[i] && argc < 38; i++) {
        argv[argc++] = args[i];
        size_t len = strlen(shown);
        snprintf(shown + len, sizeof shown - len, " %s", args[i]);
    }
    argv[argc] = NULL;
    struct proc_result r;
    ck_assert_int_eq(proc_run((char *const *)argv, NULL, NULL, 4000, &r), 0);
    ck_assert_msg(!r.timed_out, "%s: still running after 4 s (stdout %.100s)", shown, r.out);
    ck_assert_msg(r.status < 128, "%s: crashed with signal %d; stderr %.300s", shown,
                  r.status - 128, r.err);
    ck_assert_msg(r.status == 2, "%s: exit status %d, expected 2; stderr %.300s", shown, r.status,
                  r.err);
    ck_assert_msg(strstr(r.out, "listening") == NULL, "%s: printed a listening line", shown);
    size_t lines = 0;
    for (size_t i = 0; i < r.err_len; i++)
        lines += r.err[i] == '\n';
    ck_assert_msg(r.err_len > 1 && lines == 1 && r.err[r.err_len - 1] == '\n',
                  "%s: stderr is not exactly one line: '%.400s'", shown, r.err);
    for (size_t i = 0; needles && needles[i]; i++)
        ck_assert_msg(strstr(r.err, needles[i]) != NULL, "%s: stderr '%.300s' does not name '%s'",
                      shown, r.err, needles[i]);
    proc_result_free(&r);
}

START_TEST(bad_flags_give_one_line_and_status_2)
{
    char *dir = test_tmpdir();
    char data[512];
    snprintf(data, sizeof data, "%s/data.json", dir);
    ck_assert(test_write_file(data, sandbox_test_data, 0600));
    static const char *const cases[][4] = {
        {"--bogus", NULL},
        {"--port", "abc", NULL},
        {"--port", "70000", NULL},
        {"--port", "-1", NULL},
        {"--port", NULL},
        {"--rate-limit", "5", NULL},
        {"--rate-limit", "5/", NULL},
        {"--rate-limit", "abc/60", NULL},
        {"--rate-limit", "5/60s", NULL},
        {"--latency", "abc", NULL},
        {"--latency", "-5", NULL},
        {"--chaos", "soon", NULL},
        {"--bind", "999.1.1.1", NULL},
        {"--bind", "not-an-address", NULL},
        {"--tls-cert", "@DATA", NULL},
        {"--tls-key", "@DATA", NULL},
        {"stray-argument", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[8];
        int n = 0;
        args[n++] = "--data";
        args[n++] = data;
        for (int k = 0; cases[i][k]; k++)
            args[n++] = strcmp(cases[i][k], "@DATA") == 0 ? data : cases[i][k];
        args[n] = NULL;
        assert_refuses(args, NULL);
    }
    /* TLS files that do not exist or are not PEM. */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/missing.pem", dir);
    const char *tls1[] = {"--data", data, "--tls-cert", missing, "--tls-key", missing, NULL};
    assert_refuses(tls1, NULL);
    const char *tls2[] = {"--data", data, "--tls-cert", data, "--tls-key", data, NULL};
    assert_refuses(tls2, NULL);
    test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(bad_data_files_name_the_file_and_the_place)
{
    char *dir = test_tmpdir();
    static const struct {
        const char *text, *place;
    } cases[] = {
        {"{\"apps\": [", NULL},
        {"[]", NULL},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"max_dev_ak_Aaaaaaaaaaaaaaaaa1\","
         " \"app\": \"a\"}, {\"value\": \"max_dev_ak_Bbbbbbbbbbbbbbbbb2\"}], \"orgs\": []}",
         "keys[1].app"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"max_dev_ak_Aaaaaaaaaaaaaaaaa1\","
         " \"app\": \"nope\"}], \"orgs\": []}",
         "keys[0].app"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"max_dev_ak_Aaaaaaaaaaaaaaaaa1\","
         " \"app\": \"a\"}, {\"value\": \"max_dev_ak_Aaaaaaaaaaaaaaaaa1\", \"app\": \"a\"}],"
         " \"orgs\": []}",
         "keys[1]"},
        {"{\"apps\": [{\"id\": \"a\"}, {\"id\": \"a\"}], \"keys\": [], \"orgs\": []}", "apps[1]"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\"}, {\"id\": \"o\"}]}",
         "orgs[1]"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"max_dev_ak_Aaaaaaaaaaaaaaaaa1\","
         " \"app\": \"a\", \"state\": \"paused\"}], \"orgs\": []}",
         "keys[0].state"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"max_dev_ak_Aaaaaaaaaaaaaaaaa1\","
         " \"app\": \"a\", \"scopes\": \"read:patients\"}], \"orgs\": []}",
         "keys[0].scopes"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [{\"value\": \"\", \"app\": \"a\"}], \"orgs\": []}",
         "keys[0].value"},
        {"{\"apps\": [{\"slug\": \"a\"}], \"keys\": [], \"orgs\": []}", "apps[0].id"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"installs\": [{\"app\": \"ghost\", \"scopes\": []}]}]}",
         "orgs[0].installs[0].app"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"patients\": {\"generate\": 1000001, \"seed\": 1}}]}",
         "orgs[0].patients"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"patients\": [{\"firstName\": \"No Id\"}]}]}",
         "orgs[0].patients[0]"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"patients\": [{\"id\": \"pat_AAAAAAAAAA1\"}, {\"id\": \"pat_AAAAAAAAAA1\"}]}]}",
         "orgs[0].patients[1]"},
        {"{\"apps\": [{\"id\": \"a\", \"liveVersionId\": 5}], \"keys\": [], \"orgs\": []}",
         "apps[0].liveVersionId"},
        /* issue 16: ids that GET .../{id} would call malformed (pat_bar0001 used to load, list,
         * then answer 400 on detail), and links to records the org lacks */
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"patients\": [{\"id\": \"pat_AAAAAAAAAA1\"}, {\"id\": \"pat_bar0001\"}]}]}",
         "orgs[0].patients[1].id: 'pat_bar0001'"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"facilities\": [{\"id\": \"fac-1\"}]}]}",
         "orgs[0].facilities[0].id: 'fac-1'"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"appointments\": [{\"id\": \"apt_0123456789abcdef\"}]}]}",
         "orgs[0].appointments[0].id: 'apt_0123456789abcdef'"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"appointments\": [{\"id\": \"appt_0123456789ABCDEF\","
         " \"patient\": {\"id\": \"pat_NOSUCHPATIENT1\"}}]}]}",
         "orgs[0].appointments[0]: patient.id|patientId 'pat_NOSUCHPATIENT1'"},
        {"{\"apps\": [{\"id\": \"a\"}], \"keys\": [], \"orgs\": [{\"id\": \"o\","
         " \"appointments\": {\"generate\": 3, \"seed\": 1}}]}",
         "orgs[0].appointments: cannot generate appointments without"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/bad%zu.json", dir, i);
        ck_assert(test_write_file(path, cases[i].text, 0600));
        const char *args[] = {"--data", path, NULL};
        const char *needles[] = {path, cases[i].place, NULL};
        assert_refuses(args, needles);
    }
    char missing[600];
    snprintf(missing, sizeof missing, "%s/no-such-file.json", dir);
    const char *args[] = {"--data", missing, NULL};
    const char *needles[] = {missing, NULL};
    assert_refuses(args, needles);
    test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(port_in_use_gives_one_line_and_status_2)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    socklen_t len = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", ntohs(a.sin_port));

    char *dir = test_tmpdir();
    char data[512];
    snprintf(data, sizeof data, "%s/data.json", dir);
    ck_assert(test_write_file(data, sandbox_test_data, 0600));
    /* --port comes last so it overrides the --port 0 that assert_refuses puts first. */
    const char *args[] = {"--data", data, "--port", port, NULL};
    const char *needles[] = {port, NULL};
    assert_refuses(args, needles);
    close(fd);
    test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(listening_line_and_port_file_agree)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    char want[128];
    snprintf(want, sizeof want, "listening on http://127.0.0.1:%d/v1", sb.port);
    ck_assert_str_eq(sb.listen_line, want);
    /* The file may be written just after the line: wait for a whole line in it. */
    char *port = NULL;
    long long deadline = test_now_ms() + 2000;
    for (;;) {
        port = test_read_file(sb.port_path, NULL);
        if ((port && strchr(port, '\n')) || test_now_ms() >= deadline)
            break;
        free(port);
        port = NULL;
        poll(NULL, 0, 10);
    }
    ck_assert_msg(port != NULL, "no port file within 2 s");
    snprintf(want, sizeof want, "%d\n", sb.port);
    ck_assert_str_eq(port, want);
    free(port);
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(sigterm_and_sigint_stop_it_cleanly)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    ck_assert_int_eq(sandbox_stop(&sb), 0);
    sandbox_free(&sb);

    sandbox_start(&sb, sandbox_test_data, NULL);
    ck_assert_int_eq(sandbox_stop_sig(&sb, SIGINT, 5000), 0);
    sandbox_free(&sb);
}
END_TEST

struct hang_call {
    const struct sandbox *sb;
    struct http_resp r;
    long long done_ms;
};

static void *hang_thread(void *arg)
{
    struct hang_call *h = arg;
    char url[512];
    struct http_req q = {.url = sandbox_url(h->sb, ME, url, sizeof url),
                         .key = K_ACTIVE, .org = "org_a", .timeout_ms = 9000};
    http_do(&q, &h->r);
    h->done_ms = test_now_ms();
    return NULL;
}

START_TEST(sigterm_with_a_hanging_request_still_exits_0)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    sbt_add_fault(&sb, "{\"fault\": \"hang\"}");
    struct hang_call h = {.sb = &sb};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, hang_thread, &h), 0);
    /* Let the request reach the sandbox: the stats do not count it until it ends, so use a
     * control round trip after the client has had time to connect. */
    long long deadline = test_now_ms() + 300;
    while (test_now_ms() < deadline && h.done_ms == 0)
        poll(NULL, 0, 20);
    ck_assert_msg(h.done_ms == 0, "the hanging request ended early");
    long long t0 = test_now_ms();
    int st = sandbox_stop(&sb);
    ck_assert_msg(st == 0, "exit status %d with a hanging request", st);
    ck_assert_msg(test_now_ms() - t0 < 4000, "took %lld ms to stop", test_now_ms() - t0);
    pthread_join(th, NULL);
    ck_assert_msg(h.r.curl_code != CURLE_OPERATION_TIMEDOUT && h.r.status != 200,
                  "the hanging request was not closed at exit (curl %d, HTTP %ld)",
                  (int)h.r.curl_code, h.r.status);
    http_resp_free(&h.r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(unknown_fields_only_warn)
{
    char *data = NULL;
    ck_assert_int_ge(asprintf(&data,
                              "{\"apps\": [{\"id\": \"a1\", \"colour\": \"blue\"}],"
                              " \"keys\": [{\"value\": \"%s\", \"app\": \"a1\","
                              " \"scopes\": [\"read:patients\"]}],"
                              " \"orgs\": [{\"id\": \"o1\", \"installs\": [{\"app\": \"a1\","
                              " \"scopes\": [\"read:patients\"]}]}], \"vintage\": 1999}",
                              K_ACTIVE),
                     0);
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    ck_assert_msg(sandbox_wait_stderr(&sb, "colour", 2000), "no warning names 'colour'");
    ck_assert_msg(sandbox_wait_stderr(&sb, "vintage", 2000), "no warning names 'vintage'");
    struct http_resp r;
    sbt_get(&sb, PATIENTS, K_ACTIVE, "o1", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    /* No patients given: an empty list. */
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), 0);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalPages"), 0);
    json_decref(root);
    http_resp_free(&r);
    sandbox_free(&sb);
    free(data);
}
END_TEST

START_TEST(data_file_defaults)
{
    const char *data =
        "{\"apps\": [{\"id\": \"a1\"}],"
        " \"keys\": [{\"value\": \"max_dev_ak_MINIMALkey000000009\", \"app\": \"a1\"}],"
        " \"orgs\": [{\"id\": \"o1\", \"installs\": [{\"app\": \"a1\","
        " \"scopes\": [\"read:patients\"]}]}]}";
    struct sandbox sb;
    sandbox_start(&sb, data, NULL);
    struct http_resp r;
    sbt_get(&sb, ME, "max_dev_ak_MINIMALkey000000009", "o1", &r);
    json_t *root;
    ASSERT_API_OK(&r, root);
    ck_assert_str_eq(sbt_jstr(root, "data.app.slug"), "a1");
    ck_assert_msg(json_is_null(sbt_jget(root, "data.app.liveVersionId")), "liveVersionId");
    ck_assert_msg(json_is_array(sbt_jget(root, "data.scopes")) &&
                      json_array_size(sbt_jget(root, "data.scopes")) == 0,
                  "a key without scopes has effective scopes %s", r.body);
    json_decref(root);
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS, "max_dev_ak_MINIMALkey000000009", "o1", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:patients");
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

static const char *find_program(const char *name, char *buf, size_t size)
{
    const char *path = getenv("PATH");
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path ? path : "/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, size, "%s/%s", d, name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

START_TEST(tls_serves_https)
{
    char openssl[1024];
    ck_assert_msg(find_program("openssl", openssl, sizeof openssl), "openssl CLI not found");
    char *dir = test_tmpdir();
    char cert[600], key[600];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    const char *argv[] = {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                          "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                          "subjectAltName=IP:127.0.0.1", NULL};
    struct proc_result pr;
    ck_assert_int_eq(proc_run((char *const *)argv, NULL, NULL, 10000, &pr), 0);
    ck_assert_msg(pr.status == 0, "openssl failed: %.300s", pr.err);
    proc_result_free(&pr);

    struct sandbox sb;
    const char *extra[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    sandbox_start(&sb, sandbox_test_data, extra);
    char want[128];
    snprintf(want, sizeof want, "listening on https://127.0.0.1:%d/v1", sb.port);
    ck_assert_str_eq(sb.listen_line, want);
    ck_assert(sb.tls);

    char url[512];
    struct http_req q = {.url = sandbox_url(&sb, ME, url, sizeof url), .key = K_ACTIVE,
                         .org = "org_a", .cainfo = cert};
    struct http_resp r;
    http_do(&q, &r);
    ck_assert_msg(r.curl_code == CURLE_OK, "https request failed: %d %s", (int)r.curl_code,
                  r.error);
    json_t *root;
    ASSERT_API_OK(&r, root);
    ck_assert_str_eq(sbt_jstr(root, "data.app.id"), "app_test");
    json_decref(root);
    http_resp_free(&r);
    /* The control API is served over TLS too. */
    struct http_req c = {.url = sandbox_root(&sb, "/_sandbox/health", url, sizeof url),
                         .cainfo = cert};
    http_do(&c, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OK);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    /* Without trusting the certificate, curl refuses it. */
    struct http_req u = {.url = sandbox_url(&sb, ME, url, sizeof url), .key = K_ACTIVE,
                         .org = "org_a"};
    http_do(&u, &r);
    ck_assert_int_eq(r.curl_code, CURLE_PEER_FAILED_VERIFICATION);
    http_resp_free(&r);
    ck_assert_int_eq(sandbox_stop(&sb), 0);
    sandbox_free(&sb);
    test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(binds_ipv6_loopback)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool ipv6 = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    if (!ipv6)
        return; /* no IPv6 loopback on this machine: nothing to test */
    struct sandbox sb;
    const char *extra[] = {"--bind", "::1", NULL};
    sandbox_start(&sb, sandbox_test_data, extra);
    char want[128];
    snprintf(want, sizeof want, "listening on http://[::1]:%d/v1", sb.port);
    ck_assert_str_eq(sb.listen_line, want);
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_msg(r.curl_code == CURLE_OK && r.status == 200, "curl %d HTTP %ld",
                  (int)r.curl_code, r.status);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

START_TEST(latency_flag_delays_only_v1)
{
    struct sandbox sb;
    const char *extra[] = {"--latency", "300", NULL};
    sandbox_start(&sb, sandbox_test_data, extra);
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.elapsed_ms >= 300, "--latency 300 took %lld ms", r.elapsed_ms);
    http_resp_free(&r);
    sbt_get(&sb, ME, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ck_assert_msg(r.elapsed_ms >= 300, "--latency 300 took %lld ms on a 401", r.elapsed_ms);
    http_resp_free(&r);
    sbt_ctl(&sb, "GET", "/_sandbox/health", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.elapsed_ms < 250, "the control API is delayed (%lld ms)", r.elapsed_ms);
    http_resp_free(&r);
    sandbox_free(&sb);
}
END_TEST

/* The stderr line that contains needle, copied into out (without newline). */
static bool line_with(const char *text, const char *needle, char *out, size_t size)
{
    const char *at = strstr(text, needle);
    if (!at)
        return false;
    const char *start = at;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(at, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    snprintf(out, size, "%.*s", (int)n, start);
    return true;
}

static void assert_matches(const char *line, const char *pattern)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int rc = regexec(&re, line, 0, NULL, 0);
    regfree(&re);
    ck_assert_msg(rc == 0, "log line '%s' does not match %s", line, pattern);
}

START_TEST(request_log_masks_keys)
{
    struct sandbox sb;
    struct sandbox_opts o = {.data = sandbox_test_data, .verbose = true};
    const char *why = NULL;
    ck_assert_msg(sandbox_start_opts(&sb, &o, &why), "sandbox did not start: %s", why);
    struct http_resp r;
    sbt_get(&sb, PATIENTS "?page=2", K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    sbt_get(&sb, ME, K_UNKNOWN, "org_gen", &r);
    ck_assert_int_eq(r.status, 401);
    http_resp_free(&r);
    sbt_get(&sb, ME, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    http_resp_free(&r);
    sbt_ctl(&sb, "GET", "/_sandbox/health", NULL, &r);
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS "/" PAT_SARAH, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    ck_assert_msg(sandbox_wait_stderr(&sb, "/v1/patients/" PAT_SARAH, 3000),
                  "no log line for the last request");

    char *err = sandbox_stderr(&sb);
    const char *secrets[] = {K_ACTIVE, K_UNKNOWN, "TESTactive", "TESTunknown"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(strstr(err, secrets[i]) == NULL, "the request log shows a key (#%zu)", i);
    ck_assert_msg(strstr(err, "_sandbox") == NULL, "control requests are logged");
    char line[512];
    ck_assert_msg(line_with(err, "GET /v1/patients?page=2 ", line, sizeof line),
                  "no line for GET /v1/patients?page=2");
    assert_matches(line, "^GET /v1/patients\\?page=2 org=org_a "
                         "key=max_dev_ak_TES(\xE2\x80\xA6|\\.\\.\\.)001 200 [0-9]+ ms$");
    ck_assert_msg(line_with(err, "GET /v1/marketplace/me org=org_gen", line, sizeof line),
                  "no line for the unknown key");
    assert_matches(line, "^GET /v1/marketplace/me org=org_gen "
                         "key=max_dev_ak_TES(\xE2\x80\xA6|\\.\\.\\.)008 401 [0-9]+ ms$");
    size_t v1_lines = 0;
    for (const char *p = err; (p = strstr(p, " /v1/")) != NULL; p++)
        v1_lines++;
    ck_assert_uint_eq(v1_lines, 4);
    free(err);
    sandbox_free(&sb);
}
END_TEST

START_TEST(request_log_holds_only_request_lines)
{
    struct sandbox sb;
    struct sandbox_opts o = {.data = sandbox_test_data, .verbose = true};
    const char *why = NULL;
    ck_assert_msg(sandbox_start_opts(&sb, &o, &why), "sandbox did not start: %s", why);
    struct http_resp r;
    sbt_get(&sb, ME, K_ACTIVE, "org_a", &r);
    http_resp_free(&r);
    /* A request that hangs until the client gives up, one that hangs until the faults are
     * cleared, and one that is reset: each is one log line, and nothing else is logged. */
    sbt_add_fault(&sb, "{\"fault\": \"hang\", \"org\": \"org_gen\"}");
    char url[512];
    struct http_req q = {.url = sandbox_url(&sb, PATIENTS, url, sizeof url), .key = K_ACTIVE,
                         .org = "org_gen", .timeout_ms = 300};
    http_do(&q, &r);
    ck_assert_int_eq(r.curl_code, CURLE_OPERATION_TIMEDOUT);
    http_resp_free(&r);
    sbt_clear_faults(&sb);
    sbt_add_fault(&sb, "{\"fault\": \"reset\", \"org\": \"org_gen\"}");
    http_do(&q, &r);
    ck_assert_int_eq(r.status, 0);
    http_resp_free(&r);
    sbt_clear_faults(&sb);
    sbt_get(&sb, PATIENTS "?page=3", K_ACTIVE, "org_gen", &r);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    ck_assert_msg(sandbox_wait_stderr(&sb, "/v1/patients?page=3", 3000), "no log line");
    ck_assert_int_eq(sandbox_stop(&sb), 0);

    char *err = sandbox_stderr(&sb);
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^GET /v1/[^ ]* org=[^ ]* key=[^ ]+ ([0-9]{3}|hang|reset) [0-9]+ ms$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    size_t lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(err, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lines++;
        ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0, "stderr line is no request log: '%s'",
                      strstr(line, "TEST") ? "(hidden: holds key text)" : line);
    }
    regfree(&re);
    ck_assert_uint_eq(lines, 4);
    free(err);
    sandbox_free(&sb);
}
END_TEST

START_TEST(quiet_logs_no_requests)
{
    struct sandbox sb;
    sandbox_start(&sb, sandbox_test_data, NULL);
    struct http_resp r;
    sbt_get(&sb, PATIENTS, K_ACTIVE, "org_a", &r);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS, K_UNKNOWN, "org_a", &r);
    http_resp_free(&r);
    ck_assert_int_eq(sandbox_stop(&sb), 0); /* everything it would log is out by now */
    char *err = sandbox_stderr(&sb);
    ck_assert_msg(strstr(err, "/v1/") == NULL, "--quiet still logs requests: %.200s",
                  strstr(err, "TEST") ? "(hidden: holds key text)" : err);
    free(err);
    sandbox_free(&sb);
}
END_TEST

START_TEST(chaos_makes_logged_changes)
{
    struct sandbox sb;
    const char *extra[] = {"--chaos", "1", "--seed", "3", NULL};
    sandbox_start(&sb, sandbox_test_data, extra);
    long long deadline = test_now_ms() + 4000;
    size_t len = 0;
    while (test_now_ms() < deadline) {
        char *err = sandbox_stderr(&sb);
        len = strlen(err);
        ck_assert_msg(strstr(err, K_ACTIVE) == NULL && strstr(err, K_MEOK) == NULL &&
                          strstr(err, K_OTHER) == NULL,
                      "the chaos log shows a whole key");
        free(err);
        if (len > 0)
            break;
        poll(NULL, 0, 50);
    }
    ck_assert_msg(len > 0, "--chaos 1 logged no change within 4 s");
    ck_assert_int_eq(sandbox_stop(&sb), 0);
    sandbox_free(&sb);
}
END_TEST

/* ---- the bundled demo data ---------------------------------------------------------------- */

static char *demo_key_where(json_t *demo, const char *state, const char *only_scope)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(demo, "keys"), i, k) {
        const char *st = json_string_value(json_object_get(k, "state"));
        json_t *sc = json_object_get(k, "scopes");
        if (state && (!st || strcmp(st, state) != 0))
            continue;
        if (only_scope && !(json_array_size(sc) == 1 &&
                            strcmp(json_string_value(json_array_get(sc, 0)), only_scope) == 0))
            continue;
        return strdup(json_string_value(json_object_get(k, "value")));
    }
    return NULL;
}

typedef bool (*str_pred)(const char *s, const void *arg);

static bool has_sub(const char *s, const void *arg)
{
    return strstr(s, arg) != NULL;
}

static bool has_c1(const char *s, const void *arg)
{
    (void)arg;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            return true;
    return false;
}

static bool has_combining(const char *s, const void *arg)
{
    (void)arg;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((p[0] == 0xCC && p[1] >= 0x80) || (p[0] == 0xCD && p[1] >= 0x80 && p[1] <= 0xAF))
            return true;
    return false;
}

static bool at_least_300_chars(const char *s, const void *arg)
{
    (void)arg;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n >= 300;
}

static bool any_string(json_t *v, str_pred pred, const void *arg)
{
    if (json_is_string(v))
        return pred(json_string_value(v), arg);
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (any_string(e, pred, arg))
                return true;
        }
    }
    if (json_is_object(v)) {
        json_object_foreach(v, k, e) {
            if (any_string(e, pred, arg))
                return true;
        }
    }
    return false;
}

START_TEST(demo_data_shows_every_state)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/assets/sandbox/demo.json", test_src_dir());
    json_error_t e;
    json_t *demo = json_load_file(path, 0, &e);
    ck_assert_msg(demo != NULL, "%s: %s", path, e.text);
    const char *good = "max_dev_ak_DEMOgood01"; /* the key mk/demo.sh shows */
    char *revoked = demo_key_where(demo, "revoked", NULL);
    char *appts = demo_key_where(demo, NULL, "read:appointments");
    ck_assert_msg(revoked && appts, "demo.json lacks a revoked key or a read:appointments key");

    /* No --data: the demo file beside the binary's tree. */
    struct sandbox sb;
    struct sandbox_opts o = {.data = NULL};
    const char *why = NULL;
    ck_assert_msg(sandbox_start_opts(&sb, &o, &why), "sandbox without --data: %s", why);
    struct http_resp r;
    json_t *root;
    sbt_get(&sb, ME, good, "org_westla", &r);
    ASSERT_API_OK(&r, root);
    json_decref(root);
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS "?pageSize=1", good, "org_westla", &r);
    ASSERT_API_OK(&r, root);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), 1503);
    json_decref(root);
    http_resp_free(&r);
    sbt_get(&sb, ME, revoked, "org_eastside", &r);
    ASSERT_API_ERROR(&r, 401, "unauthorized", "Invalid or missing API key");
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS, good, "org_north", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:patients");
    http_resp_free(&r);
    sbt_get(&sb, ME, good, "org_south", &r);
    ASSERT_API_ERROR(&r, 404, "not_found", "Organization not found");
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS "?pageSize=1&page=100000", good, "org_big", &r);
    ASSERT_API_OK(&r, root);
    ck_assert_int_eq(sbt_jint(root, "data.pagination.totalCount"), 100000);
    ck_assert_uint_eq(json_array_size(sbt_jget(root, "data.patients")), 1);
    json_decref(root);
    http_resp_free(&r);
    sbt_get(&sb, PATIENTS, appts, "org_harbor", &r);
    ASSERT_API_ERROR(&r, 403, "forbidden", "Insufficient scope. Required: read:patients");
    http_resp_free(&r);

    sbt_get(&sb, PATIENTS, good, "org_hostile", &r);
    ASSERT_API_OK(&r, root);
    json_t *list = sbt_jget(root, "data.patients");
    ck_assert_msg(any_string(list, has_sub, "\x1b["), "no ANSI escape sequence");
    ck_assert_msg(any_string(list, has_sub, "\x1b]"), "no OSC sequence");
    ck_assert_msg(any_string(list, has_sub, "\a"), "no BEL");
    ck_assert_msg(any_string(list, has_sub, "\r"), "no CR");
    ck_assert_msg(any_string(list, has_c1, NULL), "no C1 control");
    ck_assert_msg(any_string(list, has_sub, "\xe2\x80\xae") ||
                      any_string(list, has_sub, "\xe2\x80\xad") ||
                      any_string(list, has_sub, "\xe2\x81\xa6") ||
                      any_string(list, has_sub, "\xe2\x81\xa7"),
                  "no bidi override or isolate");
    ck_assert_msg(any_string(list, has_sub, "\xe2\x80\x8b") ||
                      any_string(list, has_sub, "\xe2\x80\x8c") ||
                      any_string(list, has_sub, "\xe2\x80\x8d"),
                  "no zero-width character");
    ck_assert_msg(any_string(list, has_combining, NULL), "no combining character");
    ck_assert_msg(any_string(list, at_least_300_chars, NULL), "no 300-character name");
    json_decref(root);
    http_resp_free(&r);

    free(revoked);
    free(appts);
    json_decref(demo);
    sandbox_free(&sb);
}
END_TEST

SUITE(sandbox_cli)
{
    Suite *s = suite_create("sandbox_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, sandbox_tmp_setup, sandbox_tmp_teardown);
    tcase_add_test(tc, bad_flags_give_one_line_and_status_2);
    tcase_add_test(tc, bad_data_files_name_the_file_and_the_place);
    tcase_add_test(tc, port_in_use_gives_one_line_and_status_2);
    tcase_add_test(tc, listening_line_and_port_file_agree);
    tcase_add_test(tc, sigterm_and_sigint_stop_it_cleanly);
    tcase_add_test(tc, sigterm_with_a_hanging_request_still_exits_0);
    tcase_add_test(tc, unknown_fields_only_warn);
    tcase_add_test(tc, data_file_defaults);
    tcase_add_test(tc, tls_serves_https);
    tcase_add_test(tc, binds_ipv6_loopback);
    tcase_add_test(tc, latency_flag_delays_only_v1);
    tcase_add_test(tc, request_log_masks_keys);
    tcase_add_test(tc, request_log_holds_only_request_lines);
    tcase_add_test(tc, quiet_logs_no_requests);
    tcase_add_test(tc, chaos_makes_logged_changes);
    tcase_add_test(tc, demo_data_shows_every_state);
    suite_add_tcase(s, tc);
    return s;
}
