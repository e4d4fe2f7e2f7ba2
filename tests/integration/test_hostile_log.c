/* Bounded evidence (issue 12, Deliver 5): a hostile server on 127.0.0.1 (a thread of this test)
 * answers every request with a 403 whose code is 300 kB, message 2 MB and trace_id 3 MB. The
 * engine, in-process, with the log: every failure group keeps text cut to the bounds of
 * authlog.h (trace_id and code 256 bytes, message 1 KiB, each with the cut mark), so their
 * memory is bounded whatever a server sends; every log line is small; and `maxdash log` shows
 * the mark and says on stderr that text was cut. The key is made up for this test. */
#include "testing.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "authlog.h"
#include "config.h"
#include "engine.h"
#include "model.h"
#include "proc.h"

#define HKEY "max_dev_ak_HOSTILEtest00000000001"
#define HENV "MAXDASH_HOSTILE_TEST_KEY"

struct hostile {
    int fd;
    int port;
    pthread_t thread;
    char *response;
    size_t len;
};

static char *filled(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void *serve(void *arg)
{
    struct hostile *h = arg;
    for (;;) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        /* Read the request's head (small GETs), then answer and close. */
        char buf[8192];
        size_t got = 0;
        while (got < sizeof buf - 1) {
            ssize_t r = read(c, buf + got, sizeof buf - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n"))
                break;
        }
        size_t off = 0;
        while (off < h->len) {
            ssize_t w = write(c, h->response + off, h->len - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        close(c);
    }
}

static void hostile_start(struct hostile *h)
{
    char *code = filled('c', 300 * 1000), *msg = filled('m', 2 * 1000 * 1000),
         *trace = filled('t', 3 * 1000 * 1000);
    char *body = NULL;
    int n = asprintf(&body, "{\"code\":\"%s\",\"message\":\"%s\",\"trace_id\":\"%s\"}", code, msg,
                     trace);
    ck_assert_int_gt(n, 0);
    n = asprintf(&h->response,
                 "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                 strlen(body), body);
    ck_assert_int_gt(n, 0);
    h->len = (size_t)n;
    free(code);
    free(msg);
    free(trace);
    free(body);
    h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(h->fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(h->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(h->fd, 64), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(h->fd, (struct sockaddr *)&a, &al), 0);
    h->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&h->thread, NULL, serve, h), 0);
}

static void hostile_stop(struct hostile *h)
{
    shutdown(h->fd, SHUT_RDWR);
    close(h->fd);
    pthread_join(h->thread, NULL);
    free(h->response);
}

static void assert_cut(const char *what, const char *s, size_t max)
{
    ck_assert_msg(s != NULL, "%s is missing", what);
    ck_assert_msg(strlen(s) <= max + strlen(AUTHLOG_CUT_MARK), "%s is %zu bytes", what,
                  strlen(s));
    ck_assert_msg(authlog_is_cut(s), "%s carries no cut mark", what);
}

START_TEST(hostile_text_is_cut_in_groups_and_log)
{
    struct hostile h;
    hostile_start(&h);
    char *dir = test_tmpdir();
    char cfg_path[4200], log_path[4200];
    snprintf(cfg_path, sizeof cfg_path, "%s/config.ini", dir);
    snprintf(log_path, sizeof log_path, "%s/state/auth.jsonl", dir);
    setenv(HENV, HKEY, 1);
    char ini[9000];
    snprintf(ini, sizeof ini,
             "[maxdash]\nbase_url = http://127.0.0.1:%d/v1\nrefresh = 2\ntimeout = 10\n"
             "log_file = %s\n\n[key \"k\"]\nenv = " HENV "\n"
             "[org \"a\"]\nid = org_a\nkey = k\n[org \"b\"]\nid = org_b\nkey = k\n",
             h.port, log_path);
    ck_assert(test_write_file(cfg_path, ini, 0600));
    struct config cfg;
    struct config_errors errs = {0};
    ck_assert_msg(config_load(cfg_path, &cfg, &errs), "config_load: %s",
                  errs.count ? errs.v[0].text : "?");
    config_errors_free(&errs);
    struct authlog log;
    char err[512];
    ck_assert_msg(authlog_open(&log, log_path, err, sizeof err), "%s", err);
    struct model m;
    model_init(&m, &cfg, NULL, 0);
    struct engine_opts eo = {.once = true, .timeout_s = 10, .log = &log};
    struct engine *e = engine_new(&m, &eo, err, sizeof err);
    ck_assert_msg(e != NULL, "%s", err);
    long long deadline = test_now_ms() + 20000;
    engine_step(e);
    while (!engine_done(e) && test_now_ms() < deadline) {
        engine_wait(e, NULL, 0, 100);
        engine_step(e);
    }
    ck_assert_msg(engine_done(e), "the engine did not finish within 20 s");
    ck_assert_msg(m.nfailures >= 1, "no failure group");
    size_t ntrace = 0;
    for (size_t i = 0; i < m.nfailures; i++) {
        const struct model_failure *f = &m.failures[i];
        assert_cut("a group's code", f->code, AUTHLOG_ID_MAX);
        assert_cut("a group's message", f->message, AUTHLOG_TEXT_MAX);
        for (size_t k = 0; k < f->ntrace; k++, ntrace++)
            assert_cut("a group's trace_id", f->trace_ids[k], AUTHLOG_ID_MAX);
    }
    ck_assert_uint_ge(ntrace, 2);
    engine_free(e);
    model_free(&m);
    authlog_close(&log);
    config_free(&cfg);

    /* The file: small whole lines, every long field cut and marked. */
    FILE *fp = fopen(log_path, "r");
    ck_assert_ptr_nonnull(fp);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int nrec = 0;
    while ((len = getline(&line, &cap, fp)) > 0) {
        ck_assert_msg(len < 4096, "a log line of %zd bytes", len);
        json_t *o = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(o);
        assert_cut("the logged code", json_string_value(json_object_get(o, "code")),
                   AUTHLOG_ID_MAX);
        assert_cut("the logged message", json_string_value(json_object_get(o, "message")),
                   AUTHLOG_TEXT_MAX);
        assert_cut("the logged trace_id", json_string_value(json_object_get(o, "trace_id")),
                   AUTHLOG_ID_MAX);
        json_decref(o);
        nrec++;
    }
    free(line);
    fclose(fp);
    ck_assert_int_ge(nrec, 2);

    /* maxdash log shows the mark and says that text was cut. */
    char prog[4200];
    char *argv[] = {(char *)test_program("maxdash", prog, sizeof prog), "log", "-c", cfg_path,
                    NULL};
    struct proc_result r;
    ck_assert_int_eq(proc_run(argv, NULL, NULL, 10000, &r), 0);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, AUTHLOG_CUT_MARK), "maxdash log shows no cut mark");
    ck_assert_msg(strstr(r.err, "cut at maxdash's limits"), "maxdash log does not say text was cut: %s",
                  r.err);
    proc_result_free(&r);

    hostile_stop(&h);
    test_rmtree(dir);
    free(dir);
}
END_TEST

SUITE(hostile_log)
{
    Suite *s = suite_create("hostile_log");
    TCase *tc = tcase_create("hostile_log");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hostile_text_is_cut_in_groups_and_log);
    suite_add_tcase(s, tc);
    return s;
}
