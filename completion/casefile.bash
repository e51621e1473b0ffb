# SPDX-License-Identifier: Apache-2.0
#
# bash completion for casefile, installed as
# share/bash-completion/completions/casefile. It holds no list of its own:
# the commands, subcommands and options come from the casefile being
# completed (`casefile __complete WORD...`, src/cmd_complete.c), which reads
# them from its command table and from each command's option table. Where
# it offers nothing (an operand, an option's argument) file names complete.

_casefile()
{
	local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]} words
	local IFS=$'\n'

	[[ $bin == */* && -x $bin ]] || bin=casefile
	words=$("$bin" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
	if [[ -z $words ]]; then
		compopt -o default 2>/dev/null
		COMPREPLY=()
		return
	fi
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _casefile casefile
