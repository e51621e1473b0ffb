# --scale takes 1..1000; anything else is a usage error.
casefile demo gen --scale 0 && exit 9
[ $? = 2 ] || exit 8
casefile demo gen --scale 12abc && exit 9
[ $? = 2 ] || exit 8
casefile demo gen --scale 1001
