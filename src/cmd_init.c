/* `maxdash init`: the first config file. Values come from flags, and only on a terminal from
 * questions; a key is never asked for nor taken on the command line: init writes where the key
 * is (a variable, a file, a command), never the key. The file is created mode 0600 with O_EXCL
 * (never over an existing one) in a directory created 0700; then `maxdash config` and, when
 * asked, `maxdash check` run on it as child processes of this same binary, so that this process
 * never holds a key. */
#include "cmd_init.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "docpaths.h"
#include "keymask.h"
#include "util.h"

#define EXIT_USAGE 2
#define PRODUCTION_URL "https://api.maxcare.ai/v1"
#define STAGING_URL "https://api.maxcare.dev/v1"

extern char **environ;

struct answers {
    char *base_url;
    char *key_source; /* env, file, command */
    char *key_where;
    char **orgs;
    size_t norgs;
};

static void answers_free(struct answers *a)
{
    free(a->base_url);
    free(a->key_source);
    free(a->key_where);
    for (size_t i = 0; i < a->norgs; i++)
        free(a->orgs[i]);
    free(a->orgs);
}

/* A line from stdin without its newline and surrounding blanks; NULL at end of input. */
static char *ask(const char *question)
{
    fputs(question, stdout);
    fflush(stdout);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    char *out = xstrdup(s);
    free(line);
    return out;
}

/* "production", "staging" or a URL to the URL; NULL (after saying why) when it is neither an
 * https URL nor an http one to a loopback host (the sandbox). */
static char *resolve_base_url(const char *s)
{
    if (!*s || strcmp(s, "production") == 0 || strcmp(s, "prod") == 0)
        return xstrdup(PRODUCTION_URL);
    if (strcmp(s, "staging") == 0)
        return xstrdup(STAGING_URL);
    bool https = strncmp(s, "https://", 8) == 0, http = strncmp(s, "http://", 7) == 0;
    if (keymask_maybe_key(s, strlen(s)) || strpbrk(s, " \t\r\n") || (!https && !http) ||
        (http && config_api_env_of(s) != CONFIG_API_LOOPBACK)) {
        char *p = config_printable(s);
        warnmsg("--base-url: '%s' is not production, staging, an https:// URL or an http:// URL "
                "to this machine (127.0.0.1, the sandbox)", p);
        free(p);
        return NULL;
    }
    return xstrdup(s);
}

/* Whether where is acceptable for source; says why not. A key pasted in its place is refused
 * without echoing it. */
static bool valid_key_source(const char *source, const char *where)
{
    if (keymask_maybe_key(where, strlen(where)) && strstr(where, "_ak_")) {
        warnmsg("that looks like an API key itself: maxdash init never takes a key on the "
                "command line; name the variable (--key-env NAME), file (--key-file FILE) or "
                "command (--key-command CMD) that holds it");
        return false;
    }
    if (!*where || strchr(where, '\n')) {
        warnmsg("--key-%s needs a value on one line", source);
        return false;
    }
    if (strcmp(source, "env") == 0) {
        for (const char *c = where; *c; c++)
            if (!(isalnum((unsigned char)*c) || *c == '_') || isdigit((unsigned char)where[0])) {
                warnmsg("--key-env takes a variable name (letters, digits, _), e.g. MAX_API_KEY");
                return false;
            }
    }
    return true;
}

static bool valid_org_id(const char *id)
{
    if (!*id || strlen(id) > 128 || keymask_maybe_key(id, strlen(id))) {
        warnmsg("--org takes an organization id such as org_abc123");
        return false;
    }
    for (const char *c = id; *c; c++)
        if (!isgraph((unsigned char)*c) || *c == '"' || *c == ';' || *c == '#') {
            char *p = config_printable(id);
            warnmsg("--org: '%s' is not an organization id (no spaces, quotes, ';' or '#')", p);
            free(p);
            return false;
        }
    return true;
}

/* Splits "org_a, org_b org_c" into the answers' org list; false when one is not valid. */
static bool add_orgs(struct answers *a, const char *text)
{
    char *copy = xstrdup(text), *save = NULL;
    bool ok = true;
    for (char *t = strtok_r(copy, " ,\t", &save); t && ok; t = strtok_r(NULL, " ,\t", &save)) {
        ok = valid_org_id(t);
        if (ok) {
            a->orgs = xrealloc(a->orgs, (a->norgs + 1) * sizeof *a->orgs);
            a->orgs[a->norgs++] = xstrdup(t);
        }
    }
    free(copy);
    return ok;
}

/* A key file named relative to the current directory, made absolute: the config reads
 * relative paths from its own directory. Caller frees. */
static char *absolute_key_file(const char *source, const char *where)
{
    if (strcmp(source, "file") != 0 || where[0] == '/' || where[0] == '~')
        return xstrdup(where);
    char *cwd = getcwd(NULL, 0);
    char *abs = cwd ? xasprintf("%s/%s", cwd, where) : xstrdup(where);
    free(cwd);
    return abs;
}

/* Asks, on a terminal, for what the flags left out. False at end of input. */
static bool interview(struct answers *a, bool have_base, bool have_key)
{
    printf("maxdash init: a first config file. Enter accepts the [default].\n");
    while (!have_base) {
        char *s = ask("API base URL: production, staging, or a URL (a sandbox: "
                      "http://127.0.0.1:PORT/v1) [production]: ");
        if (!s)
            return false;
        a->base_url = resolve_base_url(s);
        free(s);
        have_base = a->base_url != NULL;
    }
    while (!have_key) {
        char *s = ask("Where is the API key? 'env NAME', 'file PATH' or 'command CMD' (never "
                      "the key itself) [env MAX_API_KEY]: ");
        if (!s)
            return false;
        if (!*s) {
            a->key_source = xstrdup("env");
            a->key_where = xstrdup("MAX_API_KEY");
            have_key = true;
        } else {
            size_t w = strcspn(s, " \t");
            const char *rest = s + w + strspn(s + w, " \t");
            char *word = xstrndup(s, w);
            if ((strcmp(word, "env") == 0 || strcmp(word, "file") == 0 ||
                 strcmp(word, "command") == 0) && valid_key_source(word, rest)) {
                a->key_source = xstrdup(word);
                a->key_where = absolute_key_file(word, rest);
                have_key = true;
            } else if (!keymask_maybe_key(s, strlen(s))) {
                printf("  start with env, file or command\n");
            } else {
                valid_key_source("env", s); /* says why a key is refused */
            }
            free(word);
        }
        free(s);
    }
    while (a->norgs == 0) {
        char *s = ask("Organization ids to watch (e.g. org_abc123; several: separated by "
                      "spaces): ");
        if (!s)
            return false;
        if (!add_orgs(a, s)) {
            for (size_t i = 0; i < a->norgs; i++)
                free(a->orgs[i]);
            a->norgs = 0;
        }
        free(s);
    }
    return true;
}

/* The section name of an org: its id without "org_", letters, digits, '-' and '_' only, unique
 * among the first i; "orgN" when nothing is left. Caller frees. */
static char *org_section_name(const struct answers *a, size_t i)
{
    const char *id = a->orgs[i];
    if (strncmp(id, "org_", 4) == 0 && id[4])
        id += 4;
    char name[24];
    size_t n = 0;
    for (const char *c = id; *c && n < 16; c++)
        if (isalnum((unsigned char)*c) || *c == '-' || *c == '_')
            name[n++] = (char)tolower((unsigned char)*c);
    name[n] = '\0';
    if (!n)
        bprintf(name, sizeof name, "org%zu", i + 1);
    for (size_t k = 0; k < i; k++) {
        char *other = org_section_name(a, k);
        bool same = strcmp(other, name) == 0;
        free(other);
        if (same)
            return xasprintf("%s-%zu", name, i + 1);
    }
    return xstrdup(name);
}

static const char *key_name_for(const char *base_url)
{
    switch (config_api_env_of(base_url)) {
    case CONFIG_API_PRODUCTION:
        return "production";
    case CONFIG_API_STAGING:
        return "staging";
    case CONFIG_API_LOOPBACK:
        return "sandbox";
    default:
        return "main";
    }
}

static char *config_text(const struct answers *a)
{
    const char *kname = key_name_for(a->base_url);
    char *orgs = xstrdup("");
    for (size_t i = 0; i < a->norgs; i++) {
        char *name = org_section_name(a, i);
        char *more = xasprintf("%s\n[org \"%s\"]\nid  = %s\nkey = %s\n; name = a display name\n",
                               orgs, name, a->orgs[i], kname);
        free(orgs);
        free(name);
        orgs = more;
    }
    char *text = xasprintf(
        "; maxdash configuration, written by 'maxdash init'.\n"
        "; Every setting is documented in %s.\n"
        "; Check it with 'maxdash config', probe every org with 'maxdash check'.\n"
        "\n"
        "[maxdash]\n"
        "; The API with its version: production %s,\n"
        "; staging %s, or the bundled sandbox http://127.0.0.1:PORT/v1.\n"
        "base_url = %s\n"
        "; refresh = 30       ; seconds between background refreshes\n"
        "; timeout = 10       ; seconds per request\n"
        "; rate_budget = 100  ; requests per minute per app that maxdash may use\n"
        "\n"
        "; Where the key is: exactly one of env = VARIABLE, file = PATH (mode 0600; its first\n"
        "; line), command = SHELL COMMAND (its first line of output). Never the key itself here.\n"
        "[key \"%s\"]\n"
        "%s = %s\n"
        "%s",
        docpaths_example_config(), PRODUCTION_URL, STAGING_URL, a->base_url, kname, a->key_source,
        a->key_where, orgs);
    free(orgs);
    return text;
}

/* mkdir -p of path's directory, each directory created 0700. False after saying why. */
static bool make_parent(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    bool ok = true;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; ok; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                warnmsg("cannot create the directory %s: %s", dir, strerror(errno));
                ok = false;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    free(dir);
    return ok;
}

/* Creates path (never over an existing file or through a symbolic link) mode 0600 with text. */
static int write_new(const char *path, const char *text)
{
    if (!make_parent(path))
        return 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            warnmsg("%s already exists: maxdash init never writes over a config; edit it, check "
                    "it with 'maxdash config', or pass -c NEWFILE", path);
        else
            warnmsg("cannot create %s: %s", path, strerror(errno));
        return errno == EEXIST ? EXIT_USAGE : 1;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            warnmsg("cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return 1;
        }
        done += (size_t)n;
    }
    if (fchmod(fd, 0600) != 0 || close(fd) != 0) {
        warnmsg("cannot write %s: %s", path, strerror(errno));
        unlink(path);
        return 1;
    }
    return 0;
}

/* Runs this same binary with `sub -c path` and returns its exit status. */
static int run_self(const char *sub, const char *path)
{
    char *argv[] = {"maxdash", (char *)sub, "-c", (char *)path, NULL};
    pid_t pid;
    fflush(stdout);
    int e = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ);
    if (e != 0) {
        warnmsg("cannot run maxdash %s: %s", sub, strerror(e));
        return 1;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int init_run(const struct init_opts *opts)
{
    char *path = config_find_path(opts->config);
    if (!path) {
        warnmsg("no home directory to write the config in: pass -c FILE");
        return EXIT_USAGE;
    }
    char *usual = config_find_path(NULL);
    bool is_usual = usual && strcmp(usual, path) == 0;
    free(usual);
    struct stat st;
    if (lstat(path, &st) == 0) {
        char *p = config_printable(path);
        warnmsg("%s already exists: maxdash init never writes over a config; check it with "
                "'maxdash config%s%s', or pass -c NEWFILE", p, is_usual ? "" : " -c ",
                is_usual ? "" : p);
        free(p);
        free(path);
        return EXIT_USAGE;
    }
    struct answers a = {0};
    int status = 0;
    if (opts->base_url && !(a.base_url = resolve_base_url(opts->base_url)))
        status = EXIT_USAGE;
    if (!status && opts->key_source) {
        if (valid_key_source(opts->key_source, opts->key_where)) {
            a.key_source = xstrdup(opts->key_source);
            a.key_where = absolute_key_file(opts->key_source, opts->key_where);
        } else {
            status = EXIT_USAGE;
        }
    }
    for (size_t i = 0; !status && i < opts->norgs; i++)
        if (!add_orgs(&a, opts->orgs[i]))
            status = EXIT_USAGE;
    bool terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    if (!status && terminal && (!a.base_url || !a.key_source || !a.norgs) &&
        !interview(&a, a.base_url != NULL, a.key_source != NULL)) {
        warnmsg("no config written");
        status = EXIT_USAGE;
    }
    if (!status && !a.norgs) {
        warnmsg("--org ID is needed (no terminal to ask on): e.g. maxdash init --org org_abc123");
        status = EXIT_USAGE;
    }
    if (!status) {
        if (!a.base_url)
            a.base_url = xstrdup(PRODUCTION_URL);
        if (!a.key_source) {
            a.key_source = xstrdup("env");
            a.key_where = xstrdup("MAX_API_KEY");
        }
        char *text = config_text(&a);
        status = write_new(path, text);
        free(text);
    }
    if (!status) {
        char *p = config_printable(path);
        printf("wrote %s (mode 0600); checking it as 'maxdash config%s%s' does:\n\n", p,
               is_usual ? "" : " -c ", is_usual ? "" : p);
        status = run_self("config", path) == 0 ? 0 : EXIT_USAGE;
        const char *var = a.key_where;
        if (status && strcmp(a.key_source, "env") == 0 && !(getenv(var) && *getenv(var)))
            printf("\nThe file is written; %s is not set here. Set it in your shell or profile "
                   "(e.g. export %s=\"$(pass show maxcare/prod)\"), then run "
                   "'maxdash check%s%s'.\n",
                   var, var, is_usual ? "" : " -c ", is_usual ? "" : p);
        else if (status)
            printf("\nFix what is said above in %s, then run 'maxdash config%s%s'.\n", p,
                   is_usual ? "" : " -c ", is_usual ? "" : p);
        bool check = opts->run_check;
        if (!status && !check && terminal) {
            char *yes = ask("\nRun 'maxdash check' now to probe every org? [Y/n] ");
            check = yes && (!*yes || *yes == 'y' || *yes == 'Y');
            free(yes);
        }
        if (!status && check) {
            printf("\n");
            status = run_self("check", path);
        } else if (!status) {
            printf("\nNext: maxdash check%s%s   (probes every org once), then maxdash%s%s\n",
                   is_usual ? "" : " -c ", is_usual ? "" : p, is_usual ? "" : " -c ",
                   is_usual ? "" : p);
        }
        free(p);
    }
    answers_free(&a);
    free(path);
    return status;
}
