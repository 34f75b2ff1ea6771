# Sourced by the test runners: count LOG adds the last "N passed, N
# failed[, N skipped]" line of a stage's output in LOG to the totals
# $passed, $failed and $skipped (a stage that printed none counts as one
# failure), so every runner sums its stages the same way.
passed=0 failed=0 skipped=0

count() {
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -n 1)
	line=${line#*: }
	if [ -z "$line" ]; then
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
