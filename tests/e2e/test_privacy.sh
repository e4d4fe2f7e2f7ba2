# Privacy mode: 'm' masks patient names, birth dates and MRNs (for screen sharing) while the ids
# stay; 'm' again shows them; --privacy starts masked and never writes a name to the terminal.
. "$MAXDASH_SRC/tests/e2e/lib.sh"

start_sandbox
write_config
page=$(api org_westla "/patients?page=1&pageSize=50")
names=$({ pfields "$page" lastName; pfields "$page" firstName; } | grep -v '^null$' | awk 'length($0) >= 4' | sort -u)
ids=$(pfields "$page" id)
first=$(display_name "$(patients_of "$page" | sed -n 1p)")
first_id=$(printf '%s\n' "$ids" | head -n 1)
first_dob=$(pfield "$(patients_of "$page" | sed -n 1p)" dateOfBirth)

start_maxdash -x 160 -y 40
see "$first"
see "MRN-10000"

keys m
gone "$first" 2000 "m masks the names"
see "privacy" 1000 "the header says privacy mode is on"
see "$first_id" 1000 "the ids stay visible"
n=0
while IFS= read -r name; do
    case $SCREEN in *"$name"*) fail "privacy mode: the name '$name' is still on the screen" ;; esac
    n=$((n + 1))
done <<<"$names"
case $SCREEN in *MRN-100*) fail "privacy mode: an MRN is still on the screen" ;; esac
case $SCREEN in *"$first_dob"*) fail "privacy mode: a birth date is still on the screen" ;; esac
see "•••" 1000 "masked fields show •••"
shown_ids=$(printf '%s\n' "$SCREEN" | grep -oE 'pat_[0-9A-Z]{26}' | wc -l)
[ "$shown_ids" -ge 20 ] || fail "privacy mode: only $shown_ids patient ids on the screen"
log "m: $n names checked absent, $shown_ids ids shown"

# The detail view is masked too.
keys Tab Enter
see "Id           $first_id" 3000
see "Name         •••"
see "Email        "
case $SCREEN in *"$first"*) fail "privacy mode: the detail view shows the name" ;; esac
keys Escape
gone "Patient (Esc closes)"

keys m
see "$first" 2000 "m again shows the names"
see "MRN-10000"

# --privacy: masked from the start; no name is ever written to the terminal.
start_maxdash -s priv -x 160 -y 40 -- --privacy
see "$first_id" 3000
see "•••"
see "privacy"
raw=$T/priv.raw
printf '%s\n' "$names" >"$T/names.txt"
leaked=$(grep -aoF -f "$T/names.txt" "$raw" | sort -u | tr '\n' ' ')
[ -z "$leaked" ] || fail "--privacy: names were written to the terminal: $leaked"
grep -aq 'MRN-100' "$raw" && fail "--privacy: an MRN was written to the terminal"
log "--privacy: no name or MRN in $(wc -c <"$raw") bytes written"
log "ok"
