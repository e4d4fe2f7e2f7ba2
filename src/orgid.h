/* Org ids as the config gives them: the shapes the API documents (maxcare-v1.md: "org_abc123",
 * a UUID, "org_<32 hex>") and the usual mistakes (quotes, whitespace, capitals), so that a 404
 * says "check the org id in your config" before it blames the clinic (issue 15, case 7). */
#ifndef MAXDASH_ORGID_H
#define MAXDASH_ORGID_H

enum {
    ORGID_WARN_QUOTED = 1u << 0, /* wrapped in or holding quotes, which are sent literally */
    ORGID_WARN_SPACE = 1u << 1,  /* whitespace inside */
    ORGID_WARN_CASE = 1u << 2,   /* "ORG_…": the documented prefix is lowercase */
    ORGID_WARN_SHAPE = 1u << 3,  /* none of the documented shapes */
};
#define ORGID_WARN_ALL 0xFu

/* The ORGID_WARN_* bits for id (NUL-terminated; NULL gives 0). Pure. */
unsigned orgid_warnings(const char *id);
/* One warning bit as a phrase after the id ("is wrapped in quotes, ..."); static. */
const char *orgid_warning_text(unsigned bit);

#endif
