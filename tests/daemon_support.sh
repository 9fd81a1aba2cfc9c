# daemon_support.sh: what the log-daemon integration tests (rsyslog/, syslog_ng/) share.
# Sourced, not run; needs $python (Debian's /usr/bin/python3).

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for_port PORT waits up to 10 s for a listener on 127.0.0.1:PORT.
wait_for_port() {
  for _ in $(seq 100); do
    "$python" -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2).close()" \
      2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
