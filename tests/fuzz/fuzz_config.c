/* The config loader on the input as a config file. config_load reads a path, so the input is
 * written to one file in a private temporary directory made once per process. Key sources are
 * never resolved (config_set_resolve_keys(false)): no environment variable or key file is read
 * and no `command` ever runs, whatever the input says. */
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static char dir[64];
static char path[96];

static void cleanup(void)
{
    if (path[0])
        unlink(path);
    if (dir[0])
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    config_set_resolve_keys(false);
    config_set_command_timeout_ms(1); /* belt and braces: resolving is off */
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/maxdash-fuzz-XXXXXX",
             tmp && *tmp == '/' && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_config: mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/config.ini", dir);
    atexit(cleanup);
    return 0;
}

/* A value that is unmistakably an API key: the whole of it must never reach a message. */
static bool key_like(const char *v)
{
    if (!v || strlen(v) < 16 || (strncmp(v, "max_prd_ak_", 11) && strncmp(v, "max_dev_ak_", 11)))
        return false;
    for (const char *c = v; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-'))
            return false;
    return true;
}

static void check_text(const char *s, const struct config *cfg)
{
    FUZZ_REQUIRE(s != NULL);
    FUZZ_REQUIRE(text_is_clean(s, strlen(s)));
    for (size_t i = 0; i < cfg->nkeys; i++)
        if (key_like(cfg->keys[i].value))
            FUZZ_REQUIRE(strstr(s, cfg->keys[i].value) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* O_TRUNC rewrites the one file in place; 0600 as a config holding a key should be. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_REQUIRE(fd >= 0);
    for (size_t off = 0; off < size;) {
        ssize_t n = write(fd, data + off, size - off);
        FUZZ_REQUIRE(n > 0);
        off += (size_t)n;
    }
    close(fd);

    struct config cfg;
    struct config_errors errs = {0};
    bool ok = config_load(path, &cfg, &errs);
    FUZZ_REQUIRE(ok == (errs.count == 0));

    for (size_t i = 0; i < errs.count; i++) {
        const struct config_error *e = &errs.v[i];
        FUZZ_REQUIRE(e->line >= 0);
        FUZZ_REQUIRE(i == 0 || errs.v[i - 1].line <= e->line); /* sorted by line */
        FUZZ_REQUIRE(e->message >= e->text && e->message <= e->text + strlen(e->text));
        check_text(e->text, &cfg);
    }

    const struct config_settings *set = &cfg.set;
    /* Only a UTF-16 byte order mark stops config_load before it parses (the file is a plain
     * file of at most libFuzzer's -max_len bytes). */
    bool utf16 = size >= 2 && (data[0] == 0xFF || data[0] == 0xFE) &&
                 (data[1] == 0xFF || data[1] == 0xFE);
    FUZZ_REQUIRE(!utf16 || !ok);
    if (!utf16) { /* the file was parsed: the defaults and ranges hold */
        FUZZ_REQUIRE(set->base_url != NULL);
        FUZZ_REQUIRE(set->refresh >= 2 && set->refresh <= 3600);
        FUZZ_REQUIRE(set->timeout >= 1 && set->timeout <= 300);
        FUZZ_REQUIRE(set->page_size >= 1 && set->page_size <= 100);
        FUZZ_REQUIRE(set->rate_budget >= 1 && set->rate_budget <= 1000);
        for (int s = 0; s < CONFIG_SETTING_COUNT; s++) {
            char *t = config_setting_text(&cfg, (enum config_setting)s);
            check_text(t, &cfg);
            free(t);
        }
    }
    for (size_t i = 0; i < cfg.nkeys; i++) {
        const struct config_key *k = &cfg.keys[i];
        FUZZ_REQUIRE(k->name && *k->name && k->line > 0);
        FUZZ_REQUIRE((unsigned)k->source <= CONFIG_SRC_VALUE);
        /* nothing was resolved: only an inline value can be there */
        FUZZ_REQUIRE(!k->value || k->source == CONFIG_SRC_VALUE);
        FUZZ_REQUIRE(config_find_key(&cfg, k->name) == k);
        char *t = config_key_source_text(k);
        check_text(t, &cfg);
        free(t);
        char masked[KEYMASK_MAX];
        config_key_mask(k, masked);
        FUZZ_REQUIRE(strnlen(masked, KEYMASK_MAX) < KEYMASK_MAX);
        if (k->value && strlen(k->value) >= 4)
            FUZZ_REQUIRE(strstr(masked, k->value) == NULL);
    }
    for (size_t i = 0; i < cfg.norgs; i++) {
        const struct config_org *o = &cfg.orgs[i];
        FUZZ_REQUIRE(o->name && *o->name && o->line > 0);
        FUZZ_REQUIRE(config_find_org(&cfg, o->name) == o);
        FUZZ_REQUIRE(!o->key || (o->key >= cfg.keys && o->key < cfg.keys + cfg.nkeys));
        if (o->id)
            FUZZ_REQUIRE(api_header_value_ok(o->id));
    }
    config_free(&cfg);
    config_errors_free(&errs);
    return 0;
}
