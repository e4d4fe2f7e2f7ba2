/* The configuration: the INI file of DESIGN.md read with inih, validated, with every key's
 * secret resolved once at start-up. Plain structs; nothing here does I/O after config_load. */
#ifndef MAXDASH_CONFIG_H
#define MAXDASH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "keymask.h"

/* The [maxdash] settings, in the order they are documented and printed. */
enum config_setting {
    CONFIG_BASE_URL,
    CONFIG_REFRESH,
    CONFIG_TIMEOUT,
    CONFIG_PAGE_SIZE,
    CONFIG_RATE_BUDGET,
    CONFIG_LOG_FILE,
    CONFIG_CA_BUNDLE,
    CONFIG_COPY_COMMAND,
    CONFIG_PRIVACY,
    CONFIG_ME_EVERY,
    CONFIG_SETTING_COUNT
};

/* Which Max AI environment base_url points at (keys are checked against it). */
enum config_api_env {
    CONFIG_API_OTHER,      /* some other host (a proxy, a mirror) */
    CONFIG_API_PRODUCTION, /* api.maxcare.ai */
    CONFIG_API_STAGING,    /* api.maxcare.dev */
    CONFIG_API_LOOPBACK,   /* 127.0.0.0/8, ::1, localhost: the sandbox */
};

struct config_settings {
    char *base_url;     /* no trailing '/', version path included */
    int refresh;        /* seconds, 2..3600 */
    int timeout;        /* seconds per request, 1..300 */
    int page_size;      /* 1..100 */
    int rate_budget;    /* requests per minute, 1..1000 */
    char *log_file;     /* absolute or as given, '~' expanded */
    char *ca_bundle;    /* NULL: the system's */
    char *copy_command; /* NULL: none configured */
    bool privacy;
    int me_every;       /* /marketplace/me every Nth refresh of an org, 1..1000 (issue 20) */
    enum config_api_env api_env;
    /* Where each setting came from: 0 for the default, else its line in config.path. */
    int line[CONFIG_SETTING_COUNT];
};

enum config_key_source {
    CONFIG_SRC_NONE,
    CONFIG_SRC_ENV,     /* source_text: the variable's name */
    CONFIG_SRC_FILE,    /* source_text: the path, '~' expanded */
    CONFIG_SRC_COMMAND, /* source_text: the shell command */
    CONFIG_SRC_VALUE,   /* source_text: NULL (the value is the secret) */
};

/* Key hygiene warnings, a bitmask on config_key.warnings: the usual causes of a 401. */
enum config_key_warning {
    CONFIG_KEYWARN_FORMAT = 1u << 0,         /* not max_prd_ak_… / max_dev_ak_… */
    CONFIG_KEYWARN_SPACE = 1u << 1,          /* whitespace or control characters inside */
    CONFIG_KEYWARN_BEARER = 1u << 2,         /* starts with "Bearer " */
    CONFIG_KEYWARN_QUOTED = 1u << 3,         /* wrapped in quotes, which are taken literally */
    CONFIG_KEYWARN_DEV_ON_PROD = 1u << 4,    /* max_dev_ak_ key, production base_url */
    CONFIG_KEYWARN_PRD_ON_STAGING = 1u << 5, /* max_prd_ak_ key, staging base_url */
};
#define CONFIG_KEYWARN_ALL 0x3Fu

struct config_key {
    char *name;
    int line;                      /* of its [key "NAME"] header */
    enum config_key_source source;
    char *source_text;             /* see enum config_key_source */
    int source_line;
    char *value;                   /* the resolved secret; NULL when it could not be resolved */
    unsigned warnings;             /* enum config_key_warning bits */
    char *probe;                   /* `probe = RESOURCE`: what the app's health is judged on, a
                                      resource of resources.def (config_probe_ok); NULL:
                                      patients (issue 20) */
    int probe_line;
    char *base_url;                /* `base_url = URL` in the key's section: the API version
                                      this app targets (the same server as [maxdash] base_url,
                                      only the /vN path may differ, issue 16 item 5); NULL:
                                      [maxdash] base_url. No trailing '/'. */
    int base_url_line;
};

struct config_org {
    char *name;
    int line;                      /* of its [org "NAME"] header */
    char *id;
    int id_line;
    char *key_name;
    int key_line;
    char *display_name;            /* NULL when not set */
    int display_name_line;
    struct config_key *key;        /* into config.keys; NULL when undefined */
    char **tags;                   /* `tags = a, b` (and the row's and the list's for a CSV row) */
    size_t ntags;
    int tags_line;
    size_t fleet;                  /* 0: an [org] section; else index + 1 into config.fleets,
                                      and line/id_line are lines of that list's file */
};

/* An [orgs "NAME"] section: one org per row of a CSV file (fleet.h). */
struct config_fleet {
    char *name;
    int line;                      /* of its [orgs "NAME"] header */
    char *file;                    /* as written in the config (shown in messages) */
    char *path;                    /* resolved: '~' expanded, relative to the config's directory */
    int file_line;
    char *key_name;
    int key_line;
    char **tags;                   /* added to every row's */
    size_t ntags;
    int tags_line;
    size_t norgs;                  /* orgs it made (rows less those skipped as duplicates) */
};

/* One problem found by config_load. */
struct config_error {
    int line;                      /* 0 when no line applies */
    char *text;                    /* "PATH:LINE: message" or "PATH: message", printable */
    const char *message;           /* the message alone, inside text */
};

struct config_errors {
    struct config_error *v;        /* sorted by line */
    size_t count;
};

struct config {
    char *path;                    /* as given to config_load */
    struct config_settings set;
    struct config_key *keys;
    size_t nkeys;
    struct config_org *orgs;
    size_t norgs;
    struct config_fleet *fleets;
    size_t nfleets;
    /* Not errors, but worth saying once (a CSV row whose org id is already an org: skipped).
     * Each text is "FILE:LINE: warning: ...", printable. */
    struct config_errors warnings;
};

/* The config file to read: cli_path (-c) when not NULL, else $MAXDASH_CONFIG, else
 * $XDG_CONFIG_HOME/maxdash/config.ini, else ~/.config/maxdash/config.ini. The caller frees the
 * result; NULL when no home directory is known. */
char *config_find_path(const char *cli_path);

/* Reads, validates and resolves the config at path into *cfg (zeroed first), runs key
 * commands, and appends every problem found to *errs. Returns true when there was none
 * (warnings on keys allowed). Either way the caller frees with config_free and
 * config_errors_free; on false, *cfg is partial and only good for freeing. */
bool config_load(const char *path, struct config *cfg, struct config_errors *errs);

/* Frees everything config_load allocated, wiping the secrets first. */
void config_free(struct config *cfg);
void config_errors_free(struct config_errors *errs);

/* The name of a [maxdash] setting ("base_url"...), static. */
const char *config_setting_name(enum config_setting s);

/* The resolved value of a setting as printable text; "(none)" when unset. Caller frees. */
char *config_setting_text(const struct config *cfg, enum config_setting s);

/* "env", "file", "command", "value" or "none", static. */
const char *config_key_source_name(enum config_key_source src);

/* Where a key comes from, for display ("env MAX_API_KEY", "file /home/u/prod.key",
 * "command pass show x", "value (inline)"), printable and with the key masked should the
 * command text contain it. Caller frees. */
char *config_key_source_text(const struct config_key *key);

/* The sentence explaining one warning bit (one enum config_key_warning), static. */
const char *config_key_warning_text(unsigned warning);

/* The base URL org's requests go to: its key's base_url, else [maxdash] base_url. Borrowed
 * from cfg. */
const char *config_org_base_url(const struct config *cfg, const struct config_org *org);

/* "production" or "staging" by the key's prefix; NULL when unknown or unresolved. Static. */
const char *config_key_env(const struct config_key *key);

/* The key's secret masked for the current locale (see keymask). */
void config_key_mask(const struct config_key *key, char out[KEYMASK_MAX]);

/* Where an org was defined, for `maxdash config` and messages: "config.ini:12" or
 * "clinics.csv:7 ([orgs \"fleet\"])". Printable; caller frees. */
char *config_org_origin(const struct config *cfg, const struct config_org *o);

/* Whether the org carries tag (ignoring case). */
bool config_org_has_tag(const struct config_org *o, const char *tag);

/* Lookups by name; NULL when there is none. The result points into cfg. */
struct config_key *config_find_key(const struct config *cfg, const char *name);
struct config_org *config_find_org(const struct config *cfg, const char *name);

/* Removes the variables that key sources read from maxdash's own environment, so that no
 * process it starts later can inherit a key. */
void config_scrub_environment(const struct config *cfg);

/* Which environment a base URL points at; CONFIG_API_OTHER when it cannot be parsed. */
enum config_api_env config_api_env_of(const char *base_url);

/* A copy of s safe to print on a terminal (text_clean: no control characters, escape
 * sequences, bidi controls or invalid UTF-8), with anything that looks like a Max AI key
 * masked. NULL gives "". Caller frees. */
char *config_printable(const char *s);

/* Whether config_load resolves the keys' secrets (default true). Subcommands that never talk to
 * the API (log) turn it off: no key source is read, no key command runs. */
void config_set_resolve_keys(bool on);

/* For tests: the time limit of a key command in milliseconds (default 10000). */
void config_set_command_timeout_ms(int ms);

/* True when name (a probe = value) is a resource of resources.def that one request can probe:
 * neither a child of another resource nor a list with required filters; else *why says why
 * (static). */
bool config_probe_ok(const char *name, const char **why);

#endif
