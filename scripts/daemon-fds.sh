# Sourced by the sandbox scripts. Daemons they start must not keep the
# caller's pipes open (a caller reading their output to EOF would wait
# forever), so close every inherited descriptor above 2 (255 is the script
# bash is reading).
close_inherited_fds() {
  local fd
  for fd in $(ls /proc/$$/fd); do
    [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ] && eval "exec $fd>&-" 2>/dev/null || true
  done
}
close_inherited_fds
