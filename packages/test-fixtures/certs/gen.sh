#!/usr/bin/env bash
# Regenerates the test certificates (made for the tests only; valid until 2125).
set -euo pipefail
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days -subj "/CN=grpc-aio test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days $days -extfile server.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=grpc-aio test client" 2>/dev/null
printf 'subjectAltName=DNS:client.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days $days -extfile client.ext 2>/dev/null
# A second, unrelated CA, for "wrong CA" tests, and a server certificate it signed (certificate
# rotation tests).
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days $days -subj "/CN=other CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout other-server.key -out other-server.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in other-server.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -out other-server.pem -days $days -extfile server.ext 2>/dev/null
rm -f ./*.csr ./*.ext ./*.srl ca.key other-ca.key
