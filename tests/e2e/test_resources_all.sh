# Every resource of the table (issue 16), in the table's order, read from src/common/resources.def
# so that a new entry is covered without editing this test: ':NAME' switches the table to it on
# API v4, its title names it and its first record (id, or GTIN for stock levels) is the API's
# first for the same request; a required facility and a change's products take the record
# selected earlier (the first facility, the first change). Then on API v1 the switcher greys
# what v1 lacks (notes) and ':notes' is refused.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
ORGS="westla" write_config
sed -i "s|^base_url = .*|base_url = $BASE/v4|" "$T/config.ini"

api4() {
    local -; set +x
    printf 'Authorization: Bearer %s\nX-Organization-Id: %s\n' "$DEMO_KEY" "$1" >"$T/api.headers"
    curl -sS --max-time 5 -H @"$T/api.headers" "$BASE/v4$2" || fail "GET /v4$2 failed"
}
first_of() { printf '%s' "$1" | grep -o "\"$2\":\"[^\"]*\"" | head -n 1 | sed "s/\"$2\":\"//; s/\"\$//"; }

# RESOURCE(id, name, alias, title, versions, scope, alt, extra, list_path, list_key, filters,
# required, sort, date_field, ...): one line each, commas inside quotes made ';'.
awk '/^RESOURCE\(/ { b = $0; while (b !~ /\)[[:space:]]*$/) { getline l; b = b " " l }; print b }' \
    "$MAXDASH_SRC/src/common/resources.def" |
    awk '{ o = ""; q = 0; for (i = 1; i <= length($0); i++) { c = substr($0, i, 1);
           if (c == "\"") q = !q; if (c == "," && q) c = ";"; o = o c }; print o }' \
    >"$T/resources.txt"
n=$(wc -l <"$T/resources.txt")
[ "$n" -ge 11 ] || fail "resources.def has $n resources, expected at least 11"

today=$(TZ=UTC date +%F)
facility=$(first_of "$(api4 org_westla "/facilities?page=1&pageSize=50")" id)
change=$(first_of "$(api4 org_westla "/inventory/changes?facilityId=$facility")" id)

start_maxdash -x 200 -y 50
see "Patients ─ 1503"
browsed=0
while IFS= read -r line; do
    IFS=',' read -r _ name _ title _ _ _ _ path _ filters required _ date _ <<EOF2
${line#RESOURCE(}
EOF2
    name=$(printf '%s' "$name" | tr -d ' "'); title=$(printf '%s' "$title" | sed 's/^ *"//; s/"$//')
    path=$(printf '%s' "$path" | tr -d ' "'); date=$(printf '%s' "$date" | tr -d ' "')
    q=
    case $filters in *RF_PAGE*) q="page=1&pageSize=50" ;; esac
    case $date in scheduled*) q="$q&dateFrom=$today&dateTo=$today" ;; esac
    case $required in *RF_FACILITY*) q="$q&facilityId=$facility" ;; esac
    path=${path//\{id\}/$change}
    body=$(api4 org_westla "$path${q:+?${q#&}}")
    marker=$(first_of "$body" id)
    [ -n "$marker" ] || marker=$(first_of "$body" productGtin)
    [ -n "$marker" ] || fail "$name: the API's first record has neither id nor productGtin"

    keys :
    type_text "$name"
    keys Enter
    if [ "$name" = patients ]; then
        see "Patients ─ $(printf '%s' "$body" | json_number totalCount) · page 1/" 3000 "$name"
    else
        see "$title (API v4) ─ " 3000 "the table shows $name"
        case $filters in *RF_PAGE*)
            see "$title (API v4) ─ $(printf '%s' "$body" | json_number totalCount) · page 1/" 3000 \
                "the count of $name" ;;
        esac
    fi
    see "${marker:0:28}" 3000 "the first record of $name (its id; the Patients pane cuts it)"
    keys g   # the first row selected: it fills the required filters of the next resources
    browsed=$((browsed + 1))
done <"$T/resources.txt"
[ "$browsed" = "$n" ] || fail "browsed $browsed of $n resources"

# API v1: notes are not served there; the switcher greys them and ':notes' is refused.
keys q
wait_exit 5000 || :
sed -i "s|^base_url = .*|base_url = $BASE/v1|" "$T/config.ini"
start_maxdash -s v1 -x 200 -y 50
see "Patients ─ 1503"
see " v1 SANDBOX" 2000 "the header shows the API version"
keys :
see_re "notes +read:notes +not in API v1" 3000 "the switcher says what v1 lacks"
type_text notes
keys Enter
see "notes are not served by API v1" 3000 "a resource the version lacks is refused"
log "ok"
