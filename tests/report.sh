# Sourced by the shell test runners: the one way a test's result and a
# runner's counts are printed (tests/report.py is the same for Python).
#   test_ok NAME              "ok NAME"
#   test_failed NAME WHY [LOG]
#                             "FAILED NAME: WHY", then LOG's last 20 lines,
#                             indented "    | "
#   test_skip NAME WHY        "SKIP NAME: WHY"
#   count LOG [NAME]          adds the last "[LABEL: ]N passed, N failed[,
#                             N skipped]" line of a stage's output in LOG
#                             to the totals; a stage that printed none is
#                             one failure, "FAILED NAME: ..." (NAME:
#                             the stage, "stage" if not given)
#   summary LABEL             "LABEL: N passed, N failed, N skipped", the
#                             runner's last line; status 1 if any failed
# Anything else a runner prints is indented, or a "== " section header.
passed=0 failed=0 skipped=0

test_ok() {
	echo "ok $1"
	passed=$((passed + 1))
}

test_failed() {
	echo "FAILED $1: $2"
	[ $# -lt 3 ] || sed 's/^/    | /' "$3" | tail -n 20
	failed=$((failed + 1))
}

test_skip() {
	echo "SKIP $1: $2"
	skipped=$((skipped + 1))
}

count() {
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -n 1)
	line=${line#*: }
	if [ -z "$line" ]; then
		echo "FAILED ${2:-stage}: it ended without its counts"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + ${line%% passed*}))
	rest=${line#*passed, }
	failed=$((failed + ${rest%% failed*}))
	case $rest in
	*skipped) rest=${rest#*failed, }; skipped=$((skipped + ${rest%% skipped})) ;;
	esac
}

summary() {
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
