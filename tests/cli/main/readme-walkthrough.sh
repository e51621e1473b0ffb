# The README is a walkthrough that runs: every fenced shell block of
# README.md is run in order, as written, in one shell in this scratch
# folder (casefile first on PATH), and the first command that fails is
# named with its README line and block.
#
# Fence convention of README.md (its info string):
#   ```sh         commands this test runs, one per line; a line ending in
#                 `\`, `&&`, `||` or `|` goes on on the next line
#   ```sh setup   set-up commands a reader runs once (they install
#                 packages as root and build): shown, never run here
#   ```text       not commands (diagrams, layouts)
# A fence with any other info string, or none, fails the test, so a new
# block is never left out of the walkthrough by accident.
source "$CLI_LIB"
readme=$CASE_DIR/../../../README.md
[ -f "$readme" ] || die "no README.md at $readme"
unset CASEFILE_KEY # the walkthrough names its keys itself
logs=$PWD # each command's output, wherever it cd's to

nblocks=0 ncmds=0 lineno=0 inblock= block=0 cmd= cmdline=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  if [ -z "$inblock" ]; then
    case $line in
      '```sh') inblock=run block=$lineno nblocks=$((nblocks + 1)) ;;
      '```sh setup' | '```text') inblock=skip ;;
      '```'*) die "README.md:$lineno: fence '$line' is none of \`\`\`sh, \`\`\`sh setup, \`\`\`text" ;;
    esac
    continue
  fi
  if [ "$line" = '```' ]; then
    [ -z "$cmd" ] || die "README.md:$cmdline: command runs past the end of its block"
    inblock=
    continue
  fi
  [ "$inblock" = run ] || continue
  [ -n "$cmd" ] || cmdline=$lineno
  case $line in
    *\\) cmd+="${line%\\}"; continue ;;
    *'&&' | *'||' | *'|') cmd+="$line"$'\n'; continue ;;
  esac
  cmd+=$line
  case $cmd in '' | '#'*) cmd=; continue ;; esac
  ncmds=$((ncmds + 1))
  if ! eval "$cmd" >"$logs/readme.out" 2>"$logs/readme.err" </dev/null; then
    echo "README.md:$cmdline (block at line $block) failed: $cmd" >&2
    tail -n 20 "$logs/readme.err" >&2
    exit 1
  fi
  cmd=
done <"$readme"
[ -z "$inblock" ] || die "README.md: a block is not closed"
# a walkthrough worth the name: the README's blocks ran from the demo to
# the report
[ $nblocks -ge 8 ] && [ $ncmds -ge 30 ] || die "only $nblocks blocks, $ncmds commands ran"
echo "ran $ncmds commands of $nblocks blocks"
