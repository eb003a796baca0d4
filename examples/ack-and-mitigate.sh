#!/bin/sh
# ack-and-mitigate.sh INC-ID [NOTE]: acknowledge an incident (unless it is already) and mark it
# mitigated, with NOTE on its timeline.
#
# incidents uses what it is configured for: the config file, or INCIDENTS_DB, or INCIDENTS_API
# and INCIDENTS_TOKEN. Exit codes are the CLI's (README, "Scripting"): 3 no such incident,
# 4 it changed meanwhile, 5 the lifecycle refuses, 6 unavailable, 7 forbidden.
set -u
id=${1:?usage: ack-and-mitigate.sh INC-ID [NOTE]}
note=${2:-Mitigated from a script}

# One field of the JSON that `incidents show --json` printed.
field() {
    printf '%s' "$1" | python3 -c "import json, sys; print(json.load(sys.stdin)$2)"
}

before=$(incidents show "$id" --json) || exit $?
if [ "$(field "$before" '["incident"]["acknowledged"]')" = None ]; then
    incidents ack "$id" >/dev/null || exit $?
fi

# Someone else may change the incident between two commands: that is a conflict (4); retry once.
incidents transition "$id" mitigated --note "$note" >/dev/null
code=$?
if [ "$code" -eq 4 ]; then
    incidents transition "$id" mitigated --note "$note" >/dev/null || exit $?
elif [ "$code" -ne 0 ]; then
    exit "$code"
fi

after=$(incidents show "$id" --json) || exit $?
echo "$id is $(field "$after" '["incident"]["status"]'); commander $(field "$after" '["commander"]["name"]')"
