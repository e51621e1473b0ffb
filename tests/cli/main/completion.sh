# SPDX-License-Identifier: Apache-2.0
# bash completion (completion/casefile.bash, installed by cmake --install):
# sourced in bash with COMP_WORDS/COMP_CWORD set as bash sets them, it
# completes commands, subcommands and each (sub)command's own options, and
# file names elsewhere. Its lists are the command table's (the same
# commands as `casefile --help`, the script names none) and the commands'
# option tables.
source "$CLI_LIB"
script=$FIXTURES/../../completion/casefile.bash
[ -f "$script" ] || die "no $script"
source "$script"
complete -p casefile | grep -q -- '-F _casefile' || die "no completion for casefile"

# comp WORD...: the completions of the last WORD after casefile WORD...
comp() {
  COMP_WORDS=(casefile "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _casefile
  printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}
# has LIST WORD...: every WORD is a line of LIST
has() {
  local list=$1; shift
  for w; do grep -qx -- "$w" <<<"$list" || die "'$w' not completed in: $list"; done
}
# lacks LIST WORD...: no WORD is a line of LIST
lacks() {
  local list=$1; shift
  for w; do ! grep -qx -- "$w" <<<"$list" || die "'$w' completed in: $list"; done
}

# Commands: exactly the table's, as `casefile --help` lists them.
casefile --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' |
  sort >table
[ "$(wc -l <table)" -ge 10 ] || die "cannot read the commands of casefile --help"
comp "" >got
cmp -s table got || { diff table got >&2; die "commands differ from the table"; }
[ "$(comp ti)" = timeline ] || die "'ti' does not complete to timeline"
[ "$(comp help "")" = "$(cat table)" ] || die "help does not complete commands"
# The hidden completion command is in neither.
lacks "$(cat table)" __complete
# The script holds no list of its own: no command name appears in it.
for c in $(cat table); do
  ! grep -qw -- "$c" <(grep -v '^#' "$script" | sed 's/casefile//g') ||
    die "completion/casefile.bash names the command '$c'"
done

# Subcommands, from the table.
[ "$(comp timeline "" | tr '\n' ' ')" = "build detect query scope " ] ||
  die "timeline's subcommands: $(comp timeline "")"
[ "$(comp timeline b)" = build ] || die "'timeline b' does not complete to build"
has "$(comp key "")" generate fingerprint

# Options: each subcommand's own, from its option table.
o=$(comp timeline build --)
has "$o" --db --trust --allow-unverified --mapping --json --help
lacks "$o" --patient --incident --rules
[ "$(comp timeline build --t)" = --trust ] || die "'--t' does not complete to --trust"
has "$(comp timeline query --)" --db --patient --limit --format
has "$(comp timeline detect --)" --db --rules --store
has "$(comp playbook run --)" --set --yes --non-interactive --key
has "$(comp verify --)" --trust --json --log --proof --custody
has "$(comp collect --)" --key --root --examiner --case-id
# Options after global ones and other options.
has "$(comp --quiet timeline build --db x.db --)" --trust
has "$(comp -)" --help --version

# Every command and subcommand of the table answers with its options.
for c in $(cat table); do
  [ "$c" = help ] && continue
  subs=$(comp "$c" "")
  for s in ${subs:-""}; do
    has "$(comp $c $s --)" --help
  done
done

# Elsewhere (an operand, an option's argument) file names: no words.
[ -z "$(comp timeline build --db "")" ] || die "words offered for --db's file"
[ -z "$(comp verify "")" ] || die "words offered for verify's ARCHIVE"
[ -z "$(comp nosuch --)" ] || die "words offered after an unknown command"
