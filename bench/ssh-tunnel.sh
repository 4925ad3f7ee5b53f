#!/usr/bin/env bash
# The `ssh -R` baseline: a private sshd on loopback and one `ssh -N -R` through it, so that
# 127.0.0.1:ENTRY_PORT forwards (over one SSH connection) to 127.0.0.1:LOCAL_PORT.
#
#   bench/ssh-tunnel.sh start LOCAL_PORT   prints "ENTRY_PORT=<p> STATE_DIR=<dir>" and leaves both running
#   bench/ssh-tunnel.sh stop STATE_DIR     stops exactly the processes recorded in STATE_DIR
#
# Or source it and call ssh_tunnel_start LOCAL_PORT / ssh_tunnel_stop (sets SSH_TUNNEL_ENTRY_PORT).
# The sshd uses a throwaway host key and client key in a temp dir, listens on 127.0.0.1 only and
# allows key-only root login and remote forwarding; the system sshd (if any) is untouched.
# SSH_TUNNEL_CIPHER=aes128-gcm@openssh.com picks a cipher (default: OpenSSH's own choice).
# Across network namespaces (bench/behind-bulk-wan.sh): SSH_TUNNEL_SERVER_NS runs sshd there, listening
# on SSH_TUNNEL_LISTEN (an address of that namespace), and SSH_TUNNEL_CLIENT_NS runs the ssh client
# there; ENTRY_PORT is then on 127.0.0.1 of the server namespace and LOCAL_PORT on that of the client's.

set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SSHD_BIN="${SSHD_BIN:-/usr/sbin/sshd}"

ssh_tunnel_install() {
  [[ -x "$SSHD_BIN" ]] && command -v ssh >/dev/null && return 0
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || { log "sshd not found and cannot install it"; return 1; }
  log "installing openssh-server"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null; }
  [[ -x "$SSHD_BIN" ]]
}

# ssh_tunnel_start LOCAL_PORT: sets SSH_TUNNEL_ENTRY_PORT and SSH_TUNNEL_STATE.
ssh_tunnel_start() {
  local local_port="$1" d sshd_port entry_port user listen="${SSH_TUNNEL_LISTEN:-127.0.0.1}"
  local sns="${SSH_TUNNEL_SERVER_NS:-}" cns="${SSH_TUNNEL_CLIENT_NS:-}"
  local -a in_server=() in_client=()
  [[ -n "$sns" ]] && in_server=(ip netns exec "$sns")
  [[ -n "$cns" ]] && in_client=(ip netns exec "$cns")
  ssh_tunnel_install || return 1
  d=$(mktemp -d /tmp/homeport-ssh.XXXXXX)
  SSH_TUNNEL_STATE="$d"
  user=$(id -un)
  ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519" -C homeport-bench-host
  ssh-keygen -q -t ed25519 -N '' -f "$d/client_ed25519" -C homeport-bench-client
  cp "$d/client_ed25519.pub" "$d/authorized_keys"
  mkdir -p /run/sshd   # privilege-separation directory sshd insists on
  sshd_port=$(free_port "$sns")
  cat > "$d/sshd_config" <<CONF
Port $sshd_port
ListenAddress $listen
HostKey $d/host_ed25519
PidFile $d/sshd-daemon.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding remote
GatewayPorts no
X11Forwarding no
PermitTTY no
UseDNS no
MaxStartups 100:30:200
LogLevel ERROR
CONF
  "$SSHD_BIN" -t -f "$d/sshd_config" || { log "sshd rejected $d/sshd_config"; return 1; }
  "${in_server[@]}" "$SSHD_BIN" -D -e -f "$d/sshd_config" > "$d/sshd.log" 2>&1 &
  echo $! > "$d/sshd.pid"
  wait_for_listen "$sshd_port" 10 "$sns" || { log "private sshd did not listen on $sshd_port: $(cat "$d/sshd.log")"; return 1; }

  entry_port=$(free_port "$sns")
  local -a cipher=()
  [[ -n "${SSH_TUNNEL_CIPHER:-}" ]] && cipher=(-o "Ciphers=$SSH_TUNNEL_CIPHER")
  "${in_client[@]}" ssh -N -T -p "$sshd_port" -i "$d/client_ed25519" "${cipher[@]}" \
      -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \
      -o UserKnownHostsFile="$d/known_hosts" -o ExitOnForwardFailure=yes -o LogLevel=ERROR \
      -R "127.0.0.1:$entry_port:127.0.0.1:$local_port" "$user@$listen" > "$d/ssh.log" 2>&1 &
  echo $! > "$d/ssh.pid"
  wait_for_listen "$entry_port" 15 "$sns" || { log "ssh -R did not open $entry_port: $(cat "$d/ssh.log")"; ssh_tunnel_stop; return 1; }
  echo "$entry_port" > "$d/entry_port"
  SSH_TUNNEL_ENTRY_PORT="$entry_port"
}

# ssh_tunnel_stop [STATE_DIR]: the ssh client, the sshd session process(es) it left, then the listener.
ssh_tunnel_stop() {
  local d="${1:-${SSH_TUNNEL_STATE:-}}" sshd_pid child
  [[ -n "$d" && -d "$d" ]] || return 0
  [[ -f "$d/ssh.pid" ]] && kill_pid "$(cat "$d/ssh.pid")"
  if [[ -f "$d/sshd.pid" ]]; then
    sshd_pid=$(cat "$d/sshd.pid")
    for child in $(ps -o pid= --ppid "$sshd_pid" 2>/dev/null); do kill_pid "$child"; done
    kill_pid "$sshd_pid"
  fi
  rm -rf "$d"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  case "${1:-}" in
    start)
      [[ -n "${2:-}" ]] || die "usage: $0 start LOCAL_PORT"
      ssh_tunnel_start "$2" || exit 1
      echo "ENTRY_PORT=$SSH_TUNNEL_ENTRY_PORT STATE_DIR=$SSH_TUNNEL_STATE"
      ;;
    stop)
      [[ -n "${2:-}" ]] || die "usage: $0 stop STATE_DIR"
      ssh_tunnel_stop "$2"
      ;;
    *) echo "usage: $0 start LOCAL_PORT | stop STATE_DIR" >&2; exit 2 ;;
  esac
fi
