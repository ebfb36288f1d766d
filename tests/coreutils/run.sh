#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# GNU coreutils' own tests of cp, run with acp in place of cp.
#
#   tests/coreutils/run.sh [-c CACHE] [-j JOBS] [-o OUTDIR] ACP [TEST...]
#
# Fetches the coreutils source that matches the installed cp (apt-get
# source, enabling the deb-src entries of the archive this machine
# already uses when none is enabled), builds it once into CACHE (default
# $ACP_COREUTILS_CACHE, else /var/tmp/acp-coreutils), then runs its cp
# tests twice: with its own cp (the baseline) and with ACP installed as
# its src/cp.  acp names itself after argv[0], so its messages say "cp:"
# there, as the tests expect.  Tests that skip as root run again as
# nobody.  Prints one row per test and, last, the line
#
#   coreutils cp tests: N pass, N fail, N skip (baseline: N pass, N fail, N skip)
#
# and writes OUTDIR/results (test, baseline, acp), OUTDIR/regressions
# (how many tests the baseline passes and acp does not) and the logs of
# those tests.  Exit status: 0 if acp passes every test the baseline
# passes, 1 if not, 2 if the suite could not be fetched or built.
#
# The tests are GPL and stay in CACHE: nothing of them enters the tree.
set -u

cache=${ACP_COREUTILS_CACHE:-/var/tmp/acp-coreutils}
jobs=$(nproc 2> /dev/null || echo 2)
out=
while getopts c:j:o: opt; do
	case $opt in
	c) cache=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-c CACHE] [-j JOBS] [-o OUTDIR] ACP [TEST...]" >&2; exit 2; }
acp=$(realpath "$1") || exit 2
shift
[ -x "$acp" ] || { echo "$0: $acp: not an executable" >&2; exit 2; }

say() { echo "coreutils: $*" >&2; }
die() { say "$*"; exit 2; }

# The tests of cp: all of tests/cp, the xattr test, and the mv tests
# whose work is done by cp.
mv_tests="dup-source childproof hard-2 hard-3 i-2 part-symlink
    trailing-slash update"

version=$(dpkg-query -W -f='${Version}' coreutils 2> /dev/null) ||
    die "no coreutils package installed (dpkg-query failed)"
upstream=${version#*:}
upstream=${upstream%-*}
mkdir -p "$cache" || die "cannot make $cache"
cache=$(realpath "$cache")
# nobody must reach the tree for the tests that refuse root.
chmod 755 "$cache"
base=$cache/$version
tree=$base/coreutils-$upstream
[ -n "$out" ] || out=$base/out
mkdir -p "$out" || die "cannot make $out"
out=$(realpath "$out")

# deb_src_entries: the deb entries of this machine's own distribution,
# as deb-src entries.  Only suites named after this release (bookworm,
# bookworm-updates, ...), so third-party archives are left alone.
deb_src_entries() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || return 1
	# One-line format.
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2> /dev/null |
	    awk -v c="$codename" '$1 == "deb" {
		for (i = 2; i <= NF; i++)
			if ($i !~ /^\[/ && $i !~ /=/ && $i !~ /\]$/)
				break
		s = $(i + 1)
		if (s == c || index(s, c "-") == 1) {
			sub(/^deb/, "deb-src"); print
		}
	    }'
	# deb822 format: one paragraph per entry.
	cat /etc/apt/sources.list.d/*.sources 2> /dev/null |
	    awk -v c="$codename" '
	    function flush() {
		if (types ~ /(^| )deb( |$)/ && suites != "") {
			printf "Types: deb-src\n%s", rest
			printf "Suites:%s\n\n", suites
		}
		types = ""; suites = ""; rest = ""
	    }
	    /^[ \t]*$/ { flush(); next }
	    /^#/ { next }
	    /^Types:/ { types = $0; sub(/^Types:/, "", types); next }
	    /^Suites:/ {
		for (i = 2; i <= NF; i++)
			if ($i == c || index($i, c "-") == 1)
				suites = suites " " $i
		next
	    }
	    { rest = rest $0 "\n" }
	    END { flush() }'
}

fetch() {
	local list=/etc/apt/sources.list.d/acp-coreutils-src
	mkdir -p "$base" && cd "$base" || return 1
	apt-get source -q coreutils="$version" > fetch.log 2>&1 && return 0
	[ "$(id -u)" = 0 ] || { cat fetch.log; return 1; }
	say "no source package reachable; enabling deb-src entries"
	if ls /etc/apt/sources.list.d/*.sources > /dev/null 2>&1; then
		list=$list.sources
	else
		list=$list.list
	fi
	deb_src_entries > "$list"
	[ -s "$list" ] || { rm -f "$list"; say "no entry to copy"; return 1; }
	cat "$list" >&2
	apt-get update -q > update.log 2>&1 || tail -5 update.log
	apt-get source -q coreutils="$version" > fetch.log 2>&1 ||
	    { cat fetch.log; return 1; }
}

build() {
	say "building coreutils $version in $tree"
	(cd "$tree" && FORCE_UNSAFE_CONFIGURE=1 ./configure -q \
	    --disable-nls > "$base/configure.log" 2>&1 &&
	    make -j"$jobs" > "$base/make.log" 2>&1) ||
	    { tail -30 "$base/configure.log" "$base/make.log"; return 1; }
	cp -p "$tree/src/cp" "$tree/src/cp.coreutils" &&
	    chown -R nobody: "$tree" && touch "$base/built"
}

if [ ! -e "$base/built" ]; then
	rm -rf "$base"
	mkdir -p "$base" "$out" || die "cannot make $base"
	fetch || die "could not fetch the source of coreutils $version"
	[ -d "$tree" ] || die "no $tree after apt-get source"
	build || die "could not build coreutils $version"
fi

# The tests, as paths relative to the tree.
if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for t in "$tree"/tests/cp/*.sh; do tests+=("tests/cp/${t##*/}"); done
	tests+=(tests/misc/xattr.sh)
	for t in $mv_tests; do tests+=("tests/mv/$t.sh"); done
fi

# Tests that skip as root (skip_if_root_) run again as nobody.
as_nobody=$(cd "$tree" && grep -l '^skip_if_root_' "${tests[@]}" 2> /dev/null)

# run_suite LABEL CP USER: install CP as src/cp, run the tests as USER,
# write LABEL.USER.tsv: test, result.
run_suite() {
	local label=$1 bin=$2 user=$3 list=$4 t r
	cp -f "$bin" "$tree/src/cp" && touch "$tree/src/cp" || return 1
	(cd "$tree" && for t in $list; do rm -f "${t%.sh}.log" "${t%.sh}.trs"; done)
	local run=(make -k -j"$jobs" check SUBDIRS=. VERBOSE=yes
	    RUN_EXPENSIVE_TESTS=yes TESTS="$(echo "$list" | tr "\n" " ")")
	if [ "$user" = root ]; then
		(cd "$tree" && "${run[@]}") > "$out/$label.$user.make.log" 2>&1
	else
		rm -f "$tree/test-suite.log"
		(cd "$tree" && setpriv --reuid=nobody --regid=nogroup \
		    --clear-groups env HOME=/nonexistent "${run[@]}") \
		    > "$out/$label.$user.make.log" 2>&1
	fi
	: > "$out/$label.$user.tsv"
	for t in $list; do
		r=$(sed -n 's/^:test-result: //p' "$tree/${t%.sh}.trs" \
		    2> /dev/null | head -1)
		printf '%s\t%s\n' "${t#tests/}" "${r:-ERROR}" >> "$out/$label.$user.tsv"
		[ "$label" = acp ] && [ "${r:-ERROR}" != PASS ] &&
		    [ "${r:-ERROR}" != SKIP ] &&
		    cp -f "$tree/${t%.sh}.log" "$out/$(echo "${t#tests/}" |
		    sed 's|\.sh$||; s|/|-|g').$user.log" 2> /dev/null
	done
	return 0
}

say "baseline: coreutils' own cp"
run_suite baseline "$tree/src/cp.coreutils" root "${tests[*]}" || die "cannot install cp"
[ -z "$as_nobody" ] || run_suite baseline "$tree/src/cp.coreutils" nobody "$as_nobody"
say "acp: $acp"
rm -f "$out"/*-*.root.log "$out"/*-*.nobody.log
run_suite acp "$acp" root "${tests[*]}"
[ -z "$as_nobody" ] || run_suite acp "$acp" nobody "$as_nobody"
cp -f "$tree/src/cp.coreutils" "$tree/src/cp"

# One row per test and user; count the acp column and the baseline's.
bp=0 bf=0 bs=0 ap=0 af=0 as=0 regress=0
: > "$out/results"
printf '%-36s %-8s %s\n' test baseline acp
for user in root nobody; do
	[ -s "$out/baseline.$user.tsv" ] || continue
	while IFS=$'\t' read -r t b; do
		a=$(awk -F'\t' -v t="$t" '$1 == t { print $2 }' "$out/acp.$user.tsv")
		name=$t
		[ "$user" = root ] || name="$t (nobody)"
		mark=
		if [ "$b" = PASS ] && [ "$a" != PASS ]; then
			mark="  <- regression"
			regress=$((regress + 1))
		fi
		printf '%-36s %-8s %s%s\n' "$name" "$b" "$a" "$mark"
		printf '%s\t%s\t%s\n' "$name" "$b" "$a" >> "$out/results"
		case $b in PASS) bp=$((bp + 1)) ;; SKIP) bs=$((bs + 1)) ;; *) bf=$((bf + 1)) ;; esac
		case $a in PASS) ap=$((ap + 1)) ;; SKIP) as=$((as + 1)) ;; *) af=$((af + 1)) ;; esac
	done < "$out/baseline.$user.tsv"
done
echo "$regress" > "$out/regressions"
echo "coreutils cp tests: $ap pass, $af fail, $as skip (baseline: $bp pass, $bf fail, $bs skip)"
[ "$regress" -eq 0 ]
