# tests/reliability/leak_data.awk: the canary data set of the leak oracle (test_r8_leaks.sh).
#
#   awk -v seed=N -v orgs="ORG:KEY ORG:KEY ..." -v npat=N -v data=FILE -v canaries=FILE \
#       -v keys=FILE [-v extra="NAME ..."] -f leak_data.awk </dev/null
#
# Writes the sandbox data file (assets/sandbox/README.md) DATA: one app, the keys named in ORGS
# (KEY "revoked" is a revoked key, any other an active one), one org per ORG:KEY with NPAT
# patients whose every field but the id and the two timestamps (names, MRN, gender, date of
# birth, email, phone) is a distinct canary, and whose install lacks read:patients when ORG
# ends in "noscope". CANARIES gets "CANARY<TAB>LABEL" lines (LABEL: "org_x patient 2 email",
# "key k_env"), KEYS gets "NAME<TAB>max_dev_ak_CANARY" lines, and one "NAME<TAB>CANARY" line
# (label "secret NAME") for each NAME of EXTRA: other secrets, made after the patients.
#
# A canary alternates a consonant outside a-f (G..Z without vowels) and a digit 2..9, 24
# characters for a key, 20 to 35 for a field (an email has an '@' in its middle; the lengths
# vary so that the seed decides where a body cut in half ends): every 6-byte piece of one holds three such
# letters, so it is no hex (trace_ids, dates), no English word and no piece of the program's own
# text, and it is the same after JSON or URL escaping and shell quoting. Any 6 bytes of one found
# in an output is a leak of that field. The generator is a Park-Miller LCG in plain awk
# arithmetic (exact in doubles), so every awk gives the same data for the same seed.

function rnd(n) { state = (state * 16807) % 2147483647; return int(state / 2147483647 * n) }
function canary(len,   s, i) {
    s = ""
    for (i = 0; i < len; i++)
        s = s (i % 2 == 0 ? substr(L, rnd(length(L)) + 1, 1) : substr(D, rnd(length(D)) + 1, 1))
    if (s in seen) return canary(len)
    seen[s] = 1
    return s
}
function field(name, value, label) {
    printf "%s\t%s\n", value, label > canaries
    return sprintf("\"%s\": \"%s\"", name, value)
}
BEGIN {
    L = "GHJKMNPQRSTVWXZ"; D = "23456789"
    state = seed + 0; if (state <= 0) state = 1
    n = split(orgs, list, " ")
    nkeys = 0
    for (i = 1; i <= n; i++) {
        split(list[i], kv, ":")
        org[i] = kv[1]; okey[i] = kv[2]
        if (!(kv[2] in keyval)) {
            keyval[kv[2]] = "max_dev_ak_" canary(24)
            keyorder[++nkeys] = kv[2]
            printf "%s\t%s\n", keyval[kv[2]], "key " kv[2] > canaries
            printf "%s\t%s\n", kv[2], keyval[kv[2]] > keys
        }
    }
    printf "{\"apps\": [{\"id\": \"app_leak\", \"slug\": \"leak-oracle\", \"liveVersionId\": \"ver_1\"}],\n" > data
    printf " \"keys\": [\n" > data
    for (k = 1; k <= nkeys; k++)
        printf "  {\"value\": \"%s\", \"app\": \"app_leak\", \"scopes\": [\"read:patients\"], \"state\": \"%s\"}%s\n",
            keyval[keyorder[k]], keyorder[k] == "revoked" ? "revoked" : "active", k < nkeys ? "," : "" > data
    printf " ],\n \"orgs\": [\n" > data
    for (i = 1; i <= n; i++) {
        scopes = org[i] ~ /noscope$/ ? "[]" : "[\"read:patients\"]"
        printf "  {\"id\": \"%s\", \"installs\": [{\"app\": \"app_leak\", \"scopes\": %s}],\n   \"patients\": [\n",
            org[i], scopes > data
        for (p = 1; p <= npat; p++) {
            lab = org[i] " patient " p
            printf "    {\"id\": \"pat_%02d%02d%s\", %s, %s, %s, %s, %s, %s, %s, %s,\n     \"createdAt\": \"2024-08-15T09:30:00.000Z\", \"updatedAt\": \"2024-08-16T10:00:00.000Z\"}%s\n",
                i, p, "0000000000",
                field("mrn", "MRN" canary(17 + rnd(16)), lab " mrn"),
                field("firstName", canary(20 + rnd(16)), lab " firstName"),
                field("middleName", canary(20 + rnd(16)), lab " middleName"),
                field("lastName", canary(20 + rnd(16)), lab " lastName"),
                field("gender", canary(20 + rnd(16)), lab " gender"),
                field("dateOfBirth", canary(20 + rnd(16)), lab " dateOfBirth"),
                field("email", canary(10 + rnd(8)) "@" canary(10 + rnd(8)), lab " email"),
                field("phone", canary(20 + rnd(16)), lab " phone"),
                p < npat ? "," : "" > data
        }
        printf "   ]}%s\n", i < n ? "," : "" > data
    }
    printf " ]}\n" > data
    # Other secrets (lines a password manager prints after the key): canaries of their own,
    # made last: they change nothing of the data above.
    ns = split(extra, xs, " ")
    for (i = 1; i <= ns; i++) {
        v = canary(24)
        printf "%s\t%s\n", v, "secret " xs[i] > canaries
        printf "%s\t%s\n", xs[i], v > keys
    }
}
