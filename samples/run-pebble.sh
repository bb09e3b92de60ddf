#!/usr/bin/env bash
# A local Pebble (Let's Encrypt's test CA) for trying `Pki.Demo acme` by hand:
#   ACME directory https://127.0.0.1:14000/dir, validator http-01 port 5002, DNS via
#   pebble-challtestsrv (every name resolves to 127.0.0.1). Stop with Ctrl-C.
# Its listener certificate is generated here; trust it for the demo through OpenSSL's
# SSL_CERT_FILE (what .NET on Linux reads), as the line printed below shows.
set -euo pipefail
command -v pebble >/dev/null || { echo "Install Pebble first: sudo apt-get install -y pebble" >&2; exit 2; }
dir=${PEBBLE_DIR:-/tmp/pki-pebble}
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
  -days 7 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
# The system bundle plus this listener certificate.
cat /etc/ssl/certs/ca-certificates.crt "$dir/cert.pem" > "$dir/trust.pem" 2>/dev/null || cp "$dir/cert.pem" "$dir/trust.pem"
cat > "$dir/pebble.json" <<JSON
{"pebble":{"listenAddress":"127.0.0.1:14000","managementListenAddress":"127.0.0.1:15000",
 "certificate":"$dir/cert.pem","privateKey":"$dir/key.pem","httpPort":5002,"tlsPort":5001,
 "ocspResponderURL":"","externalAccountBindingRequired":false}}
JSON
pebble-challtestsrv -http01 "" -https01 "" -tlsalpn01 "" -dns01 127.0.0.1:8053 -management 127.0.0.1:8055 -defaultIPv6 "" >"$dir/challtestsrv.log" 2>&1 &
dns=$!
pebble_pid=
# Both children go when this script does (Ctrl-C, kill, or Pebble exiting): Pebble is not exec'd, so
# this trap survives and pebble-challtestsrv does not keep ports 8053/8055.
cleanup() {
  [ -n "$pebble_pid" ] && kill "$pebble_pid" 2>/dev/null
  kill "$dns" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "Pebble: https://127.0.0.1:14000/dir (validator: http-01 port 5002, tls-alpn-01 port 5001). Then, in another terminal, either"
echo "  the demo:    SSL_CERT_FILE=$dir/trust.pem dotnet run --project samples/Pki.Demo -- acme --directory https://127.0.0.1:14000/dir --domain demo.example.test --http-port 5002 --out ./certs"
echo "  the web app: SSL_CERT_FILE=$dir/trust.pem ASPNETCORE_ENVIRONMENT=Pebble dotnet run --project samples/Pki.Samples.WebApp"
PEBBLE_VA_NOSLEEP=1 pebble -config "$dir/pebble.json" -dnsserver 127.0.0.1:8053 &
pebble_pid=$!
wait "$pebble_pid"
