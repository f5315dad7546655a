# A private Postfix instance on loopback for end-to-end tests: its own config, queue and data
# directories under one folder, relaying everything to an smtp-sink that writes one file per
# message. /etc/postfix and any system Postfix are left alone.
#
# Source this file, then:
#   pf_setup DIR SMTP_PORT SINK_PORT MILTER_SPEC [RELEASE_PORT]
#                                                  # write config, start sink and Postfix; with
#                                                  # RELEASE_PORT also an smtpd without milters
#                                                  # (scanmilter's release relay, conf/postfix/master.cf)
#   pf_send ARGS...                                # swaks against the instance (prints the dialogue)
#   pf_wait_delivered COUNT [SECONDS]              # wait for COUNT messages in the sink
#   pf_teardown                                    # stop everything (also on EXIT)
# Facts this relies on: with no syslog, Postfix must have maillog_file and maillog_file_prefixes
# or it dies without a word; data_directory is owned by postfix; every chroot column is n.

pf_dir=""
pf_sink_pid=""
# The shipped Postfix snippets (conf/postfix/), whichever directory this file is sourced from.
pf_conf=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../conf/postfix" && pwd)

pf_setup() {
  pf_dir=$1
  local smtp_port=$2 sink_port=$3 milter=$4 release_port=${5:-}
  mkdir -p "$pf_dir"/{etc,spool,data,sink}
  chmod 755 "$pf_dir"        # postfix and nobody must traverse it (mktemp -d makes it 0700)
  chown postfix "$pf_dir/data"
  chmod 777 "$pf_dir/sink"   # smtp-sink writes as nobody
  cp /usr/share/postfix/main.cf.debian "$pf_dir/etc/main.cf" 2>/dev/null || : > "$pf_dir/etc/main.cf"
  cat >> "$pf_dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf_dir/spool
data_directory = $pf_dir/data
myhostname = scanmilter-e2e.localdomain
mydomain = localdomain
myorigin = localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_host_lookup = native
disable_dns_lookups = yes
relayhost = [127.0.0.1]:$sink_port
relay_domains = *
smtpd_relay_restrictions = permit_mynetworks, reject
maillog_file = $pf_dir/maillog
maillog_file_prefixes = $pf_dir
message_size_limit = 104857600
smtp_tls_security_level = none
smtpd_tls_security_level = none
alias_maps =
alias_database =
local_recipient_maps =
shlib_directory = /usr/lib/postfix
CF
  # The milter settings are exactly the shipped snippet (conf/postfix/main.cf), as a newcomer
  # following the README applies it; only the socket changes to the port this test listens on.
  cat "$pf_conf/main.cf" >> "$pf_dir/etc/main.cf"
  postconf -c "$pf_dir/etc" -e "smtpd_milters = $milter"
  # Debian's master.cf, chroot off everywhere, smtpd on our loopback port instead of :25.
  awk -v port="$smtp_port" '
    /^smtp[ \t]+inet/ { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
    /^[a-z0-9]/ && NF >= 8 { $5 = "n" }
    { print }' /etc/postfix/master.cf > "$pf_dir/etc/master.cf"
  if [ -n "$release_port" ]; then
    # The shipped release relay (conf/postfix/master.cf), on this test's port instead of 10026.
    sed -E "s/^127\.0\.0\.1:10026([[:space:]])/127.0.0.1:$release_port\1/" "$pf_conf/master.cf" >> "$pf_dir/etc/master.cf"
  fi
  # smtp-sink: -u nobody when root; one file per message under sink/.
  smtp-sink -u nobody -d "$pf_dir/sink/msg." "127.0.0.1:$sink_port" 128 &
  pf_sink_pid=$!
  postfix -c "$pf_dir/etc" check
  if ! postfix -c "$pf_dir/etc" start >/dev/null 2>&1; then
    # Before logging works, only a terminal shows Postfix's fatal errors.
    script -qc "postfix -c $pf_dir/etc start" /dev/null
    return 1
  fi
  local i
  for i in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "postfix did not open 127.0.0.1:$smtp_port" >&2
  tail -20 "$pf_dir/maillog" >&2
  return 1
}

pf_teardown() {
  [ -n "$pf_dir" ] || return 0
  postfix -c "$pf_dir/etc" stop >/dev/null 2>&1 || true
  [ -n "$pf_sink_pid" ] && kill "$pf_sink_pid" 2>/dev/null || true
  [ -n "$pf_sink_pid" ] && wait "$pf_sink_pid" 2>/dev/null || true
}

pf_delivered_count() {
  find "$pf_dir/sink" -type f -name 'msg.*' | wc -l
}

pf_wait_delivered() {
  local want=$1 seconds=${2:-20} i
  for i in $(seq 1 $((seconds * 10))); do
    [ "$(pf_delivered_count)" -ge "$want" ] && return 0
    sleep 0.1
  done
  return 1
}

pf_flush() {
  postqueue -c "$pf_dir/etc" -f 2>/dev/null || true
}
