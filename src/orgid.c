/* Org id shapes and the warnings about them (orgid.h). */
#include "orgid.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return false;
    }
    return true;
}

/* "org_" and then letters, digits, '_' or '-' (org_abc123, org_<32 hex>, org_01J5…). */
static bool is_org_prefixed(const char *s)
{
    if (strncmp(s, "org_", 4) != 0 || !s[4])
        return false;
    for (const char *p = s + 4; *p; p++)
        if (!is_alnum(*p) && *p != '_' && *p != '-')
            return false;
    return true;
}

unsigned orgid_warnings(const char *id)
{
    if (!id)
        return 0;
    unsigned w = 0;
    if (strpbrk(id, "\"'`"))
        w |= ORGID_WARN_QUOTED;
    if (strpbrk(id, " \t\r\n\v\f"))
        w |= ORGID_WARN_SPACE;
    if (strncmp(id, "ORG_", 4) == 0 || strncmp(id, "Org_", 4) == 0)
        w |= ORGID_WARN_CASE;
    else if (!w && !is_org_prefixed(id) && !is_uuid(id))
        w |= ORGID_WARN_SHAPE;
    return w;
}

const char *orgid_warning_text(unsigned bit)
{
    switch (bit) {
    case ORGID_WARN_QUOTED:
        return "holds quotes, which are sent as part of the id: remove them";
    case ORGID_WARN_SPACE:
        return "holds whitespace, which is sent as part of the id";
    case ORGID_WARN_CASE:
        return "starts with a capital ORG_: documented ids start with lowercase org_";
    case ORGID_WARN_SHAPE:
        return "has none of the documented shapes (org_..., a UUID, org_<32 hex>)";
    default:
        return "unknown warning";
    }
}
