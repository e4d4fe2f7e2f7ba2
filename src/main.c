/* maxdash's entry point: the command line of DESIGN.md and the subcommands that need no
 * screen. Each subcommand is one row of `subcommands`; the dashboard is the row without a name. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cmd_check.h"
#include "cmd_log.h"
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
    const char *since;
    const char *copy_command;
    int timeout;
    int budget;     /* check --budget N */
    bool quick;     /* check --quick */
    bool json, no_color, privacy, explain;
    bool auth_only; /* log --auth-only */
};

struct subcommand {
    const char *name;     /* NULL: the dashboard (no subcommand) */
    const char *args;     /* synopsis of its options */
    const char *what;     /* one line for --help */
    const char *optstring;
    const struct option *longopts;
    int (*run)(const struct options *opt);
};

enum { OPT_HELP = 'h', OPT_ORG = 256, OPT_NO_COLOR, OPT_PRIVACY, OPT_JSON, OPT_SINCE, OPT_VERSION,
       OPT_TIMEOUT, OPT_COPY_COMMAND, OPT_EXPLAIN, OPT_AUTH_ONLY, OPT_BUDGET, OPT_QUICK };

static const struct option dashboard_opts[] = {
    {"config", required_argument, NULL, 'c'}, {"org", required_argument, NULL, OPT_ORG},
    {"no-color", no_argument, NULL, OPT_NO_COLOR}, {"privacy", no_argument, NULL, OPT_PRIVACY},
    {"copy-command", required_argument, NULL, OPT_COPY_COMMAND},
    {"help", no_argument, NULL, OPT_HELP}, {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}};
static const struct option check_opts[] = {
    {"config", required_argument, NULL, 'c'}, {"org", required_argument, NULL, OPT_ORG},
    {"json", no_argument, NULL, OPT_JSON}, {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"budget", required_argument, NULL, OPT_BUDGET}, {"quick", no_argument, NULL, OPT_QUICK},
    {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0}};
static const struct option config_opts[] = {
    {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};
static const struct option log_opts[] = {
    {"config", required_argument, NULL, 'c'}, {"json", no_argument, NULL, OPT_JSON},
    {"org", required_argument, NULL, OPT_ORG}, {"since", required_argument, NULL, OPT_SINCE},
    {"explain", no_argument, NULL, OPT_EXPLAIN}, {"help", no_argument, NULL, OPT_HELP},
    {"auth-only", no_argument, NULL, OPT_AUTH_ONLY}, {NULL, 0, NULL, 0}};

static int run_dashboard(const struct options *opt);
static int run_check(const struct options *opt);
static int run_config(const struct options *opt);
static int run_log(const struct options *opt);

static const struct subcommand subcommands[] = {
    {NULL, "[-c FILE] [--org NAME] [--no-color] [--privacy] [--copy-command CMD]", "the dashboard", ":c:h",
     dashboard_opts, run_dashboard},
    {"check", "[-c FILE] [--org NAME]... [--json] [--timeout S] [--budget N] [--quick]",
     "probe every org once, print a report, exit",
     ":c:h", check_opts, run_check},
    {"config", "[-c FILE]", "validate the config, print it resolved, keys masked", ":c:h",
     config_opts, run_config},
    {"log", "[-c FILE] [--json] [--org NAME] [--since DURATION] [--auth-only] [--explain]",
     "print the stored failure log", ":c:h", log_opts, run_log},
};

static void usage(FILE *to)
{
    for (size_t i = 0; i < ARRAY_LEN(subcommands); i++) {
        const struct subcommand *s = &subcommands[i];
        char line[128];
        /* Subcommand names padded to one column, as DESIGN.md writes the synopsis. */
        bprintf(line, sizeof line, "maxdash %s%*s%s", s->name ? s->name : "",
                s->name ? 7 - (int)strlen(s->name) : 0, "", s->args);
        fprintf(to, "%s %-58s %s\n", i == 0 ? "usage:" : "      ", line, s->what);
    }
    fprintf(to, "       maxdash --help | --version\n");
}

static void help(void)
{
    usage(stdout);
    printf("\n"
           "The config file is -c FILE, else $MAXDASH_CONFIG, else\n"
           "$XDG_CONFIG_HOME/maxdash/config.ini (~/.config/maxdash/config.ini);\n"
           "config.example.ini documents every setting.\n"
           "\n"
           "Exit status: 0 success; 1 (check) an org failed; 2 usage or configuration error.\n");
}

static void subcommand_usage(const struct subcommand *s, FILE *to)
{
    fprintf(to, "usage: maxdash %s%s%s\n", s->name ? s->name : "", s->name ? " " : "", s->args);
}

/* A piece of argv, made safe to echo on a terminal. */
static void complain(const char *what, const char *arg)
{
    char *p = config_printable(arg);
    warnmsg("%s '%s'", what, p);
    free(p);
}

/* Parses argv (argv[0] is the program or subcommand name) into *opt. Returns -1 to go on,
 * else the exit status (help printed, or a usage error reported). */
static int parse_options(const struct subcommand *s, int argc, char **argv, struct options *opt)
{
    opterr = 0; /* our own messages: getopt's do not sanitize what they echo */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, s->optstring, s->longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!*optarg) {
                warnmsg("-c needs a file name");
                subcommand_usage(s, stderr);
                return EXIT_USAGE;
            }
            opt->config = optarg;
            break;
        case OPT_ORG:
            opt->orgs = xrealloc(opt->orgs, (opt->norgs + 1) * sizeof *opt->orgs);
            opt->orgs[opt->norgs++] = optarg;
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
        case OPT_COPY_COMMAND:
            opt->copy_command = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 300) {
                complain("--timeout takes seconds from 1 to 300, not", optarg);
                return EXIT_USAGE;
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
        case OPT_HELP:
            if (s->name)
                subcommand_usage(s, stdout);
            else
                help();
            return EXIT_SUCCESS;
        case OPT_VERSION:
            printf("maxdash %s\n", MAXDASH_VERSION);
            return EXIT_SUCCESS;
        case ':':
            complain("missing argument for", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        default:
            if (strncmp(argv[optind - 1], "--", 2) == 0 || optopt <= 0 || optopt > 127) {
                complain("unknown option", argv[optind - 1]);
            } else {
                char o[3] = {'-', (char)optopt, '\0'};
                complain("unknown option", o);
            }
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        complain(s->name ? "unexpected argument" : "unknown command", argv[optind]);
        usage(stderr);
        return EXIT_USAGE;
    }
    /* One --org is all the dashboard and log take; check takes several. */
    if (opt->norgs > 1 && (!s->name || strcmp(s->name, "check") != 0)) {
        warnmsg("--org may be given once here");
        subcommand_usage(s, stderr);
        return EXIT_USAGE;
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

static int run_check(const struct options *opt)
{
    struct check_opts co = {.config = opt->config, .orgs = opt->orgs, .norgs = opt->norgs,
                            .json = opt->json, .timeout_s = opt->timeout,
                            .budget = opt->budget, .quick = opt->quick};
    return check_run(&co);
}

static int run_log(const struct options *opt)
{
    struct cmd_log_opts lo = {.config = opt->config, .org = opt->norgs ? opt->orgs[0] : NULL,
                              .since = opt->since, .json = opt->json, .explain = opt->explain,
                              .auth_only = opt->auth_only};
    return cmd_log_run(&lo);
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

static void print_config(const struct config *cfg)
{
    char *path = config_printable(cfg->path);
    size_t nwarn = 0;
    for (size_t i = 0; i < cfg->nkeys; i++)
        for (unsigned bit = 1; bit <= CONFIG_KEYWARN_ALL; bit <<= 1)
            nwarn += (cfg->keys[i].warnings & bit) != 0;
    printf("# %s: valid; %zu key%s, %zu org%s, %zu warning%s\n", path, cfg->nkeys,
           cfg->nkeys == 1 ? "" : "s", cfg->norgs, cfg->norgs == 1 ? "" : "s", nwarn,
           nwarn == 1 ? "" : "s");

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
        print_warnings("", k->warnings);
        free(src);
        free(loc);
        free(note);
    }

    for (size_t i = 0; i < cfg->norgs; i++) {
        const struct config_org *o = &cfg->orgs[i];
        char *oname = config_printable(o->name);
        printf("\n[org \"%s\"]\n", oname);
        free(oname);
        char *note = where(path, o->id_line);
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
            note = where(path, o->display_name_line);
            print_row("name", name, note);
            free(name);
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

    const struct subcommand *s = &subcommands[0];
    int skip = 0;
    if (argc > 1 && argv[1][0] != '-') {
        s = NULL;
        for (size_t i = 1; i < ARRAY_LEN(subcommands) && !s; i++)
            if (strcmp(argv[1], subcommands[i].name) == 0)
                s = &subcommands[i];
        if (!s) {
            complain("unknown command", argv[1]);
            usage(stderr);
            return EXIT_USAGE;
        }
        skip = 1;
    }
    struct options opt = {0};
    int status = parse_options(s, argc - skip, argv + skip, &opt);
    if (status < 0)
        status = s->run(&opt);
    free(opt.orgs);
    return status;
}
