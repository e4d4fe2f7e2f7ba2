/* maxdash's entry point: the command line of DESIGN.md and the subcommands that need no
 * screen. Each subcommand is one row of `commands`; the dashboard is the row without a name. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "cmd_check.h"
#include "cmd_init.h"
#include "cmd_log.h"
#include "cmd_serve.h"
#include "config.h"
#include "harden.h"
#include "ui.h"
#include "keymask.h"
#include "text.h"
#include "util.h"

#define EXIT_USAGE 2

/* What the options of any subcommand set; each one accepts only its own. */
struct options {
    const char *config;
    const char **orgs;
    size_t norgs;
    const char **tags; /* check --tag */
    size_t ntags;
    const char *since;
    const char *copy_command;
    int timeout;
    int budget;     /* check --budget N */
    bool quick;     /* check --quick */
    bool json, no_color, privacy, explain;
    bool auth_only; /* log --auth-only */
    struct init_opts init; /* maxdash init */
    const char *listen; /* serve --listen */
    bool follow;    /* log -f */
    const char *status; /* log --status */
    bool scopes;    /* check --scopes */
};

enum { OPT_ORG = 256, OPT_NO_COLOR, OPT_PRIVACY, OPT_JSON, OPT_SINCE, OPT_TIMEOUT,
       OPT_COPY_COMMAND, OPT_EXPLAIN, OPT_AUTH_ONLY, OPT_BASE_URL, OPT_KEY_ENV, OPT_KEY_FILE,
       OPT_KEY_COMMAND, OPT_INIT_CHECK, OPT_LISTEN, OPT_TAG, OPT_STATUS, OPT_SCOPES,
       OPT_BUDGET, OPT_QUICK };

/* Each subcommand's options, one row each: getopt's table, the synopsis and --help are made
 * from these (cli.c). -h/--help is added to every one, -V/--version to the dashboard. */
#define OPT_CONFIG {"config", 'c', 'c', "FILE", false, \
    "the config file (default: $MAXDASH_CONFIG, else ~/.config/maxdash/config.ini)"}
static const struct cli_option dashboard_opts[] = {
    OPT_CONFIG,
    {"org", 0, OPT_ORG, "NAME", false, "select this org at start"},
    {"no-color", 0, OPT_NO_COLOR, NULL, false, "a monochrome screen (as when NO_COLOR is set)"},
    {"privacy", 0, OPT_PRIVACY, NULL, false,
     "start in privacy mode: patient names, birth dates, MRNs, emails and phones masked"},
    {"copy-command", 0, OPT_COPY_COMMAND, "CMD", false,
     "copy through CMD (e.g. wl-copy) instead of OSC 52 or tmux; overrides copy_command"},
    {NULL, 0, 0, NULL, false, NULL}};
static const struct cli_option init_opts[] = {
    {"config", 'c', 'c', "FILE", false,
     "write this file (default: $MAXDASH_CONFIG, else ~/.config/maxdash/config.ini)"},
    {"base-url", 0, OPT_BASE_URL, "URL", false,
     "production (the default), staging, or a URL such as a sandbox's "
     "http://127.0.0.1:8080/v1"},
    {"key-env", 0, OPT_KEY_ENV, "NAME", false,
     "the API key is in environment variable NAME (default MAX_API_KEY)"},
    {"key-file", 0, OPT_KEY_FILE, "FILE", false,
     "the API key is the first line of FILE (mode 0600)"},
    {"key-command", 0, OPT_KEY_COMMAND, "CMD", false,
     "the API key is the first line of CMD's output (e.g. 'pass show maxcare/prod'); never "
     "the key itself"},
    {"org", 0, OPT_ORG, "ID", true, "an organization id to watch (repeat for more)"},
    {"check", 0, OPT_INIT_CHECK, NULL, false, "run maxdash check on the new config at once"},
    {NULL, 0, 0, NULL, false, NULL}};
static const struct cli_option check_opts[] = {
    OPT_CONFIG,
    {"org", 0, OPT_ORG, "NAME", true,
     "probe only the orgs this name, org id or glob (west*) picks (repeat for more)"},
    {"tag", 0, OPT_TAG, "TAG", true, "probe only the orgs with this tag (repeat for more)"},
    {"scopes", 0, OPT_SCOPES, NULL, false,
     "the scope map: per org every documented scope, granted by /marketplace/me or not, and "
     "one page-size-1 request per resource (within the rate budget): answers, or 403 and the "
     "side that must act"},
    {"json", 0, OPT_JSON, NULL, false, "one JSON document instead of the table"},
    {"timeout", 0, OPT_TIMEOUT, "SECONDS", false,
     "seconds per request (1..300), instead of the config's timeout"},
    {"budget", 0, OPT_BUDGET, "N", false,
     "requests a minute for each app, this run only (1..100000); by default rate_budget, "
     "stretched to half of what the server says is left in its window"},
    {"quick", 0, OPT_QUICK, NULL, false,
     "the key's probe alone, no /marketplace/me (one request per org)"},
    {NULL, 0, 0, NULL, false, NULL}};
static const struct cli_option config_opts[] = {OPT_CONFIG, {NULL, 0, 0, NULL, false, NULL}};
static const struct cli_option log_opts[] = {
    OPT_CONFIG,
    {"follow", 'f', 'f', NULL, false,
     "print new records as they are appended, by any maxdash process; survives rotation"},
    {"json", 0, OPT_JSON, NULL, false, "one JSON object per line"},
    {"org", 0, OPT_ORG, "NAME", false,
     "only the failures of the orgs this name, org id or glob picks"},
    {"status", 0, OPT_STATUS, "LIST", false, "only these HTTP statuses: 401,403 or 4xx"},
    {"since", 0, OPT_SINCE, "WHEN", false,
     "only failures since a duration ago (30m, 2h30m, 7d) or a UTC date or time (2026-11-28, "
     "2026-11-28T14:00)"},
    {"auth-only", 0, OPT_AUTH_ONLY, NULL, false,
     "only the API's own 401 and 403 answers (the dashboard's a)"},
    {"explain", 0, OPT_EXPLAIN, NULL, false,
     "the likely cause under each record (from the config and the log; no key is read)"},
    {NULL, 0, 0, NULL, false, NULL}};
static const struct cli_option serve_opts[] = {
    OPT_CONFIG,
    {"listen", 0, OPT_LISTEN, "ADDR:PORT", false,
     "where to serve /metrics, /healthz and / (default 127.0.0.1:9464; anything but loopback "
     "must be asked for here, and is warned about)"},
    {NULL, 0, 0, NULL, false, NULL}};

static const char *const dashboard_examples[] = {
    "maxdash                       # the dashboard, config from the usual place",
    "maxdash -c staging.ini --org westla",
    "maxdash --privacy             # for screen sharing", NULL};
static const char *const init_examples[] = {
    "maxdash init                  # asks, on a terminal",
    "maxdash init --key-env MAX_API_KEY --org org_abc123 --org org_def456",
    "maxdash init -c sandbox.ini --base-url http://127.0.0.1:8080/v1 --key-file dev.key "
    "--org org_westla --check",
    NULL};
static const char *const check_examples[] = {
    "maxdash check                 # every org; exit 0 when all are healthy",
    "maxdash check --tag west --org 'org_9*' --json",
    "maxdash check --scopes --org harbor   # why does the app see no appointments here?", NULL};
static const char *const config_examples[] = {
    "maxdash config                # the usual config, resolved, keys masked",
    "maxdash config -c ~/maxdash/staging.ini", NULL};
static const char *const log_examples[] = {
    "maxdash log --since 2h30m --explain",
    "maxdash log --since 2026-11-28 --json | jq .trace_id",
    "maxdash log -f --auth-only    # new 401/403s as they happen", NULL};

static const char *const serve_examples[] = {
    "maxdash serve                 # http://127.0.0.1:9464/metrics",
    "maxdash serve -c fleet.ini --listen 127.0.0.1:9500",
    "curl -H 'Accept: application/openmetrics-text' localhost:9464/metrics", NULL};

static int run_dashboard(const struct options *opt);
static int run_init(const struct options *opt);
static int run_serve(const struct options *opt);
static int run_check(const struct options *opt);
static int run_config(const struct options *opt);
static int run_log(const struct options *opt);

/* A subcommand: its command-line table and what runs it. The dashboard is the row without a
 * name. */
struct subcommand {
    struct cli_command cli;
    int (*run)(const struct options *opt);
};

static const struct subcommand commands[] = {
    {{NULL, "the dashboard: every org's key, status, patients and failed requests", dashboard_opts,
      dashboard_examples,
     "Run 'maxdash COMMAND --help' for a command's options and examples. The config file is -c "
     "FILE, else $MAXDASH_CONFIG, else $XDG_CONFIG_HOME/maxdash/config.ini "
     "(~/.config/maxdash/config.ini); 'maxdash init' writes one.\n"
     "Exit status: 0 success; 1 (check) an org failed; 2 usage or configuration error."},
     run_dashboard},
    {{"init", "write a first config file (asks on a terminal; flags for scripts)", init_opts,
     init_examples,
     "The file is written mode 0600 in a 0700 directory, never over an existing file; then it "
     "is checked as 'maxdash config' would."},
     run_init},
    {{"check", "probe every org once, print a report, exit", check_opts, check_examples,
     "Exit status: 0 every probed org healthy; 1 at least one failed; 2 usage or configuration "
     "error."},
     run_check},
    {{"config", "validate the config, print it resolved, keys masked", config_opts,
      config_examples, NULL},
     run_config},
    {{"log", "print (or follow) the stored failure log", log_opts, log_examples, NULL}, run_log},
    {{"serve", "the engine without a screen: /metrics for Prometheus, /healthz, /", serve_opts,
      serve_examples,
      "Exit status: 0 on SIGTERM, SIGINT or SIGHUP; 1 when it cannot listen; 2 usage or "
      "configuration error."},
     run_serve},
};

/* A piece of argv, made safe to echo on a terminal. */
static void complain(const char *what, const char *arg)
{
    char *p = config_printable(arg);
    warnmsg("%s '%s'", what, p);
    free(p);
}

/* After a usage error: the suggestion (if any), the synopsis, where to read more. */
static int usage_error(const struct subcommand *sc, const char *suggestion)
{
    const struct cli_command *s = &sc->cli;
    if (suggestion)
        fprintf(stderr, "Did you mean '%s'?\n", suggestion);
    cli_usage(stderr, s, 80);
    fprintf(stderr, "Run 'maxdash%s%s --help' for the options and examples.\n",
            s->name ? " " : "", s->name ? s->name : "");
    return EXIT_USAGE;
}

/* The subcommands whose options include long option arg, for "--json is an option of check". */
static const char *owner_of(const char *arg)
{
    static char buf[64];
    size_t len = strcspn(arg + 2, "=");
    for (size_t i = 1; i < ARRAY_LEN(commands); i++)
        for (const struct cli_option *o = commands[i].cli.opts; o->name; o++)
            if (strlen(o->name) == len && strncmp(o->name, arg + 2, len) == 0) {
                bprintf(buf, sizeof buf, "maxdash %s %s", commands[i].cli.name, arg);
                return buf;
            }
    return NULL;
}

/* Parses argv (argv[0] is the program or subcommand name) into *opt. Returns -1 to go on,
 * else the exit status (help printed, or a usage error reported). */
static int parse_options(const struct subcommand *sc, int argc, char **argv,
                         struct options *opt)
{
    const struct cli_command *s = &sc->cli;
    struct option *longopts;
    char *optstring;
    cli_getopt(s, &longopts, &optstring);
    opterr = 0; /* our own messages: getopt's do not sanitize what they echo */
    optind = 1;
    int c, status = -1;
    char suggestion[80];
    while (status < 0 && (c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!*optarg) {
                warnmsg("-c needs a file name");
                status = usage_error(sc, NULL);
                break;
            }
            opt->config = optarg;
            break;
        case OPT_ORG:
            opt->orgs = xrealloc(opt->orgs, (opt->norgs + 1) * sizeof *opt->orgs);
            opt->orgs[opt->norgs++] = optarg;
            break;
        case 'f':
            opt->follow = true;
            break;
        case OPT_STATUS:
            opt->status = optarg;
            break;
        case OPT_TAG:
            opt->tags = xrealloc(opt->tags, (opt->ntags + 1) * sizeof *opt->tags);
            opt->tags[opt->ntags++] = optarg;
            break;
        case OPT_NO_COLOR:
            opt->no_color = true;
            break;
        case OPT_PRIVACY:
            opt->privacy = true;
            break;
        case OPT_JSON:
            opt->json = true;
            break;
        case OPT_SINCE:
            opt->since = optarg;
            break;
        case OPT_EXPLAIN:
            opt->explain = true;
            break;
        case OPT_AUTH_ONLY:
            opt->auth_only = true;
            break;
        case OPT_LISTEN:
            opt->listen = optarg;
            break;
        case OPT_SCOPES:
            opt->scopes = true;
            break;
        case OPT_COPY_COMMAND:
            opt->copy_command = optarg;
            break;
        case OPT_BASE_URL:
            opt->init.base_url = optarg;
            break;
        case OPT_KEY_ENV:
        case OPT_KEY_FILE:
        case OPT_KEY_COMMAND:
            if (opt->init.key_source) {
                warnmsg("one key source: --key-env, --key-file or --key-command");
                status = usage_error(sc, NULL);
                break;
            }
            opt->init.key_source = c == OPT_KEY_ENV    ? "env"
                                   : c == OPT_KEY_FILE ? "file"
                                                       : "command";
            opt->init.key_where = optarg;
            break;
        case OPT_INIT_CHECK:
            opt->init.run_check = true;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 300) {
                complain("--timeout takes seconds from 1 to 300, not", optarg);
                status = EXIT_USAGE;
                break;
            }
            opt->timeout = (int)v;
            break;
        }
        case OPT_BUDGET: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 100000) {
                complain("--budget takes requests a minute from 1 to 100000, not", optarg);
                return EXIT_USAGE;
            }
            opt->budget = (int)v;
            break;
        }
        case OPT_QUICK:
            opt->quick = true;
            break;
        case CLI_OPT_HELP:
            if (s->name) {
                cli_help(stdout, s, NULL, 0, cli_width());
            } else {
                const struct cli_command *all[ARRAY_LEN(commands)];
                for (size_t i = 0; i < ARRAY_LEN(commands); i++)
                    all[i] = &commands[i].cli;
                cli_help(stdout, s, all, ARRAY_LEN(commands), cli_width());
            }
            status = cli_finish_stdout(EXIT_SUCCESS);
            break;
        case CLI_OPT_VERSION:
            printf("maxdash %s\n", MAXDASH_VERSION);
            status = cli_finish_stdout(EXIT_SUCCESS);
            break;
        case ':':
            complain("missing argument for", argv[optind - 1]);
            status = usage_error(sc, NULL);
            break;
        default: {
            const char *arg = argv[optind - 1];
            if (strncmp(arg, "--", 2) == 0 || optopt <= 0 || optopt > 127) {
                complain("unknown option", arg);
                const char *sug = cli_suggest_option(s, arg, suggestion, sizeof suggestion);
                status = usage_error(sc, sug ? sug : strncmp(arg, "--", 2) == 0 ? owner_of(arg)
                                                                                 : NULL);
            } else {
                char o[3] = {'-', (char)optopt, '\0'};
                complain("unknown option", o);
                status = usage_error(sc, NULL);
            }
            break;
        }
        }
    }
    free(longopts);
    free(optstring);
    if (status >= 0)
        return status;
    if (optind < argc) {
        complain(s->name ? "unexpected argument" : "unknown command", argv[optind]);
        return usage_error(sc, NULL);
    }
    /* One --org is all the dashboard and log take; check and init take several. */
    if (opt->norgs > 1 &&
        !(s->name && (strcmp(s->name, "check") == 0 || strcmp(s->name, "init") == 0))) {
        warnmsg("--org may be given once here");
        return usage_error(sc, NULL);
    }
    return -1;
}

static int run_dashboard(const struct options *opt)
{
    struct ui_opts uo = {.config = opt->config, .org = opt->norgs ? opt->orgs[0] : NULL,
                         .no_color = opt->no_color, .privacy = opt->privacy,
                         .copy_command = opt->copy_command};
    return ui_run(&uo);
}

static int run_init(const struct options *opt)
{
    struct init_opts io = opt->init;
    io.config = opt->config;
    io.orgs = opt->orgs;
    io.norgs = opt->norgs;
    return init_run(&io);
}

static int run_check(const struct options *opt)
{
    struct check_opts co = {.config = opt->config, .orgs = opt->orgs, .norgs = opt->norgs,
                            .tags = opt->tags, .ntags = opt->ntags,
                            .json = opt->json, .timeout_s = opt->timeout,
                            .scopes = opt->scopes, .budget = opt->budget, .quick = opt->quick};
    return check_run(&co);
}

static int run_log(const struct options *opt)
{
    struct cmd_log_opts lo = {.config = opt->config, .org = opt->norgs ? opt->orgs[0] : NULL,
                              .since = opt->since, .json = opt->json, .explain = opt->explain,
                              .auth_only = opt->auth_only, .follow = opt->follow,
                              .status = opt->status};
    return cmd_log_run(&lo);
}

static int run_serve(const struct options *opt)
{
    struct serve_opts so = {.config = opt->config, .listen = opt->listen};
    return serve_run(&so);
}

/* "name = value ; note", with the notes lined up. */
static void print_row(const char *name, const char *raw_value, const char *raw_note)
{
    enum { VALUE_COLS = 44 };
    /* Cleaned here, whatever the caller did: a key pasted into an id is masked. */
    char *value = config_printable(raw_value), *note = config_printable(raw_note);
    printf("%-12s = %s", name, value);
    if (raw_note && *note) {
        int w = text_width(value);
        printf("%*s ; %s", w < VALUE_COLS ? VALUE_COLS - w : 0, "", note);
    }
    putchar('\n');
    free(value);
    free(note);
}

static char *where(const char *path, int line)
{
    return line > 0 ? xasprintf("%s:%d", path, line) : xstrdup("default");
}

static void print_warnings(const char *prefix, unsigned warnings)
{
    for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL; bit <<= 1) {
        if (!(warnings & bit))
            continue;
        char *text = xasprintf("%s%s", prefix, config_key_warning_text(bit));
        print_row("warning", text, NULL);
        free(text);
    }
}

static char *join_tags(char *const *tags, size_t n)
{
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? ", " : "", tags[i]);
        free(out);
        out = next;
    }
    return out;
}

static void print_config(const struct config *cfg)
{
    char *path = config_printable(cfg->path);
    size_t nwarn = 0;
    for (size_t i = 0; i < cfg->nkeys; i++)
        for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL; bit <<= 1)
            nwarn += (cfg->keys[i].warnings & bit) != 0;
    nwarn += cfg->warnings.count;
    printf("# %s: valid; %zu key%s, %zu org%s, %zu warning%s\n", path, cfg->nkeys,
           cfg->nkeys == 1 ? "" : "s", cfg->norgs, cfg->norgs == 1 ? "" : "s", nwarn,
           nwarn == 1 ? "" : "s");
    for (size_t i = 0; i < cfg->warnings.count; i++)
        printf("# %s\n", cfg->warnings.v[i].text);

    printf("\n[maxdash]\n");
    for (int i = 0; i < CONFIG_SETTING_COUNT; i++) {
        char *value = config_setting_text(cfg, (enum config_setting)i);
        char *note = where(path, cfg->set.line[i]);
        print_row(config_setting_name((enum config_setting)i), value, note);
        free(value);
        free(note);
    }

    for (size_t i = 0; i < cfg->nkeys; i++) {
        const struct config_key *k = &cfg->keys[i];
        char masked[KEYMASK_MAX];
        config_key_mask(k, masked);
        char *src = config_key_source_text(k);
        char *loc = where(path, k->source_line);
        char *note = xasprintf("%s (%s)", src, loc);
        char *kname = config_printable(k->name);
        printf("\n[key \"%s\"]\n", kname);
        free(kname);
        print_row("key", masked, note);
        char *pnote = k->probe ? where(path, k->probe_line) : xstrdup("default");
        print_row("probe", k->probe ? k->probe : "patients", pnote);
        free(pnote);
        if (k->base_url) { /* the API version this app targets (issue 16) */
            char *bnote = where(path, k->base_url_line);
            char *burl = config_printable(k->base_url);
            print_row("base_url", burl, bnote);
            free(burl);
            free(bnote);
        }
        print_warnings("", k->warnings);
        free(src);
        free(loc);
        free(note);
    }

    for (size_t i = 0; i < cfg->nfleets; i++) {
        const struct config_fleet *f = &cfg->fleets[i];
        char *fname = config_printable(f->name);
        printf("\n[orgs \"%s\"]\n", fname);
        free(fname);
        char *note = where(path, f->file_line);
        print_row("file", f->file, note);
        free(note);
        note = where(path, f->key_line);
        print_row("key", f->key_name, note);
        free(note);
        if (f->ntags) {
            char *tags = join_tags(f->tags, f->ntags);
            note = where(path, f->tags_line);
            print_row("tags", tags, note);
            free(tags);
            free(note);
        }
        char *count = xasprintf("%zu", f->norgs);
        print_row("orgs", count, "one per row, shown below");
        free(count);
    }

    for (size_t i = 0; i < cfg->norgs; i++) {
        const struct config_org *o = &cfg->orgs[i];
        char *oname = config_printable(o->name);
        printf("\n[org \"%s\"]\n", oname);
        free(oname);
        /* A row of an org list: its lines are lines of that file; the key is the list's. */
        const char *opath = o->fleet ? cfg->fleets[o->fleet - 1].file : path;
        char *from = config_org_origin(cfg, o);
        print_row("from", from, NULL);
        free(from);
        char *note = where(opath, o->id_line);
        print_row("id", o->id, note);
        free(note);
        char masked[KEYMASK_MAX];
        config_key_mask(o->key, masked);
        char *value = xasprintf("%s (%s)", o->key_name, masked);
        note = where(path, o->key_line);
        print_row("key", value, note);
        free(value);
        free(note);
        if (o->display_name) {
            char *name = config_printable(o->display_name);
            note = where(opath, o->display_name_line);
            print_row("name", name, note);
            free(name);
            free(note);
        }
        if (o->ntags) {
            char *tags = join_tags(o->tags, o->ntags);
            note = o->tags_line ? where(opath, o->tags_line) : xstrdup("from the list");
            print_row("tags", tags, note);
            free(tags);
            free(note);
        }
        char *prefix = xasprintf("key \"%s\" ", o->key_name);
        print_warnings(prefix, o->key->warnings);
        free(prefix);
    }
    free(path);
}

static int run_config(const struct options *opt)
{
    char *path = config_find_path(opt->config);
    if (!path) {
        warnmsg("no config file: HOME is not set; pass -c FILE");
        return EXIT_USAGE;
    }
    struct config cfg;
    struct config_errors errs = {0};
    bool ok = config_load(path, &cfg, &errs);
    free(path);
    config_scrub_environment(&cfg);
    int status = EXIT_SUCCESS;
    if (ok) {
        print_config(&cfg);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            warnmsg("cannot write the output");
            status = 1;
        }
    } else {
        for (size_t i = 0; i < errs.count; i++)
            warnmsg("%s", errs.v[i].text);
        status = EXIT_USAGE;
    }
    config_errors_free(&errs);
    config_free(&cfg);
    return status;
}

/* Hundreds of orgs want hundreds of connections: take the hard limit of descriptors when the
 * soft one is lower (macOS and some shells start at 256), as servers do. The engine then sizes
 * its connection cap from what is in force (engine_max_connections). */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    /* API keys live in this process's memory from the config load on: no core file may hold
     * them. Soft and hard limit, so nothing below can raise it again. */
    setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
    /* Nor may another process of the user read them from /proc/PID/mem (issue 11 case 7):
     * before any key is loaded, so there is no moment when one could. */
    harden_no_dump();
    raise_nofile();
    setlocale(LC_ALL, "");
    util_set_progname("maxdash");

    const struct subcommand *s = &commands[0];
    int skip = 0;
    if (argc > 1 && argv[1][0] != '-') {
        s = NULL;
        for (size_t i = 1; i < ARRAY_LEN(commands) && !s; i++)
            if (strcmp(argv[1], commands[i].cli.name) == 0)
                s = &commands[i];
        if (!s) {
            complain("unknown command", argv[1]);
            const char *names[ARRAY_LEN(commands)];
            for (size_t i = 1; i < ARRAY_LEN(commands); i++)
                names[i - 1] = commands[i].cli.name;
            names[ARRAY_LEN(commands) - 1] = NULL;
            return usage_error(&commands[0], cli_suggest(argv[1], names));
        }
        skip = 1;
    }
    struct options opt = {0};
    int status = parse_options(s, argc - skip, argv + skip, &opt);
    if (status < 0)
        status = s->run(&opt);
    free(opt.orgs);
    free(opt.tags);
    return status;
}
