{{/*
NATS users and permissions. The model is defined in libs/testing/src/nats-auth.ts (natsPermissions, the
devnet's NATS) and repeated here and in deploy/compose/nats.conf: keep the three in sync;
deploy/test/nats-auth.test.mjs compares them.
  - validator-<i>: publishes gossip p2p.<chain>.{proposal,vote,txs,status,sync}, finalized blocks and events
    bai.<chain>.>, and may only read (INFO) or create the chain's stream; subscribes p2p.<chain>.> and
    _INBOX.>; answers requests (sync) through allow_responses.
  - gateway: publishes nothing on p2p.>, and on bai.> only the access proxy's metering events
    (bai.<chain>.metering.>); reads the stream through an ephemeral consumer.
No anonymous user (no no_auth_user): a client without a password is refused.
*/}}

{{/* Users of the chart's services, in order: validator-0 ... validator-<count-1>, gateway. */}}
{{- define "balanceai.nats.users" -}}
{{- $users := list -}}
{{- range $i := until (int .Values.validators.count) -}}
{{- $users = append $users (printf "validator-%d" $i) -}}
{{- end -}}
{{- toJson (append $users "gateway") -}}
{{- end -}}

{{/* The Secret holding one password per user (key = user name). */}}
{{- define "balanceai.nats.authSecretName" -}}
{{- .Values.nats.auth.existingSecret | default (printf "%s-nats-auth" (include "balanceai.fullname" .)) -}}
{{- end -}}

{{/* The variable nats.conf reads a user's password from: BAI_NATS_PASSWORD_VALIDATOR_0, ..._GATEWAY. */}}
{{- define "balanceai.nats.passwordVar" -}}
BAI_NATS_PASSWORD_{{ . | upper | replace "-" "_" }}
{{- end -}}

{{/* The JetStream stream of the chain: BAI_ + the chain id upper-cased, other characters as _ (chainStreamName). */}}
{{- define "balanceai.nats.streamName" -}}
BAI_{{ regexReplaceAll "[^A-Z0-9]" (upper .Values.chain.id) "_" }}
{{- end -}}

{{- define "balanceai.nats.jsonList" -}}
[{{- $q := list -}}{{- range . -}}{{- $q = append $q (quote .) -}}{{- end -}}{{ join ", " $q }}]
{{- end -}}

{{/* Permissions of a role as one line of JSON (valid nats.conf); pass (dict "ctx" $ "role" "validator|gateway"). */}}
{{- define "balanceai.nats.permissions" -}}
{{- $chain := .ctx.Values.chain.id -}}
{{- $stream := include "balanceai.nats.streamName" .ctx -}}
{{- if eq .role "validator" -}}
{{- $publish := list -}}
{{- range $kind := list "proposal" "vote" "txs" "status" "sync" -}}
{{- $publish = append $publish (printf "p2p.%s.%s" $chain $kind) -}}
{{- end -}}
{{- $publish = concat $publish (list (printf "bai.%s.>" $chain) "$JS.API.INFO" (printf "$JS.API.STREAM.INFO.%s" $stream) (printf "$JS.API.STREAM.CREATE.%s" $stream)) -}}
{"publish": {"allow": {{ include "balanceai.nats.jsonList" $publish }}}, "subscribe": {"allow": {{ include "balanceai.nats.jsonList" (list (printf "p2p.%s.>" $chain) "_INBOX.>") }}}, "allow_responses": true}
{{- else if eq .role "gateway" -}}
{{- $publish := list (printf "bai.%s.metering.>" $chain) "$JS.API.INFO" (printf "$JS.API.STREAM.INFO.%s" $stream) (printf "$JS.API.CONSUMER.CREATE.%s" $stream) (printf "$JS.API.CONSUMER.CREATE.%s.>" $stream) (printf "$JS.API.CONSUMER.INFO.%s.>" $stream) (printf "$JS.API.CONSUMER.DELETE.%s.>" $stream) (printf "$JS.API.CONSUMER.MSG.NEXT.%s.>" $stream) -}}
{"publish": {"allow": {{ include "balanceai.nats.jsonList" $publish }}}, "subscribe": {"allow": {{ include "balanceai.nats.jsonList" (list "_INBOX.>") }}}}
{{- else -}}
{{- fail (printf "no NATS permissions for role %s" .role) -}}
{{- end -}}
{{- end -}}

{{/* nats.conf of the in-chart NATS. Passwords and the server name come from the environment (see nats.yaml). */}}
{{- define "balanceai.nats.config" -}}
{{- $n := .Values.nats -}}
# Rendered by the balanceai chart (templates/_nats.tpl). Users and permissions: the model of
# libs/testing/src/nats-auth.ts; no anonymous connections.
server_name: $BAI_NATS_SERVER_NAME
listen: "0.0.0.0:4222"
http_port: 8222
jetstream {
  store_dir: "/data"
}
{{- if $n.tls.enabled }}
# Clients must speak TLS; they verify this certificate against ca.crt (NATS_TLS_CA_FILE).
tls {
  cert_file: "/etc/nats-tls/tls.crt"
  key_file: "/etc/nats-tls/tls.key"
  timeout: 2
}
{{- end }}
{{- if gt (int $n.replicas) 1 }}
# The servers route to each other (every pod of the StatefulSet; a route to itself is ignored),
# authenticated by the route password and, with TLS, by certificates of the same CA.
cluster {
  name: "balanceai"
  listen: "0.0.0.0:6222"
  # Clients use the servers of their NATS_URL (the names the certificate is for), not pod IPs
  # gossiped by the cluster.
  no_advertise: true
  authorization {
    user: "route"
    password: $BAI_NATS_ROUTE_PASSWORD
    timeout: 2
  }
  routes = [
    {{- range $i := until (int $n.replicas) }}
    $BAI_NATS_ROUTE_{{ $i }}
    {{- end }}
  ]
  {{- if $n.tls.enabled }}
  tls {
    cert_file: "/etc/nats-tls/tls.crt"
    key_file: "/etc/nats-tls/tls.key"
    ca_file: "/etc/nats-tls/ca.crt"
    timeout: 2
  }
  {{- end }}
}
{{- end }}
authorization {
  VALIDATOR_PERMISSIONS = {{ include "balanceai.nats.permissions" (dict "ctx" . "role" "validator") }}
  GATEWAY_PERMISSIONS = {{ include "balanceai.nats.permissions" (dict "ctx" . "role" "gateway") }}
  users = [
    {{- range $user := include "balanceai.nats.users" . | fromJsonArray }}
    { user: {{ quote $user }}, password: ${{ include "balanceai.nats.passwordVar" $user }}, permissions: ${{ ternary "GATEWAY_PERMISSIONS" "VALIDATOR_PERMISSIONS" (eq $user "gateway") }} }
    {{- end }}
  ]
}
{{- end -}}

{{/* NATS_URL of the gateway: the gateway reads its credentials only from the URL (first server). */}}
{{- define "balanceai.nats.gatewayUrl" -}}
{{- $servers := splitList "," (include "balanceai.natsUrl" .) -}}
{{- $first := first $servers | trim -}}
{{- if not (contains "@" $first) -}}
{{- $first = replace "://" "://gateway:$(NATS_PASSWORD)@" $first -}}
{{- end -}}
{{- join "," (prepend (rest $servers) $first) -}}
{{- end -}}

{{/* The CA clients verify the NATS server with; pass the context. Empty when TLS is off. */}}
{{- define "balanceai.nats.caFile" -}}
{{- if .Values.nats.tls.enabled -}}/etc/balanceai/nats-tls/ca.crt{{- end -}}
{{- end -}}

{{/* Volume with only the CA of the NATS TLS Secret, for NATS clients. */}}
{{- define "balanceai.nats.caVolume" -}}
{{- if .Values.nats.tls.enabled }}
- name: nats-ca
  secret:
    secretName: {{ include "balanceai.nats.tlsSecretName" . }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end -}}

{{- define "balanceai.nats.caVolumeMount" -}}
{{- if .Values.nats.tls.enabled }}
- name: nats-ca
  mountPath: /etc/balanceai/nats-tls
  readOnly: true
{{- end }}
{{- end -}}


{{- define "balanceai.nats.headless" -}}{{ include "balanceai.nats.fullname" . }}-headless{{- end -}}

{{/* DNS name of NATS server i (a pod of the StatefulSet, through the headless Service); pass (dict "ctx" $ "i" N). */}}
{{- define "balanceai.nats.podHost" -}}
{{ include "balanceai.nats.fullname" .ctx }}-{{ .i }}.{{ include "balanceai.nats.headless" .ctx }}.{{ .ctx.Release.Namespace }}.svc
{{- end -}}

{{/* The Secret with the route password of the in-chart NATS cluster (key `password`). */}}
{{- define "balanceai.nats.routesSecretName" -}}
{{- .Values.nats.cluster.existingSecret | default (printf "%s-nats-routes" (include "balanceai.fullname" .)) -}}
{{- end -}}

{{/* The Secret with tls.crt, tls.key and ca.crt: given, or generated by the chart for the in-chart NATS. */}}
{{- define "balanceai.nats.tlsSecretName" -}}
{{- .Values.nats.tls.existingSecret | default (printf "%s-nats-tls" (include "balanceai.fullname" .)) -}}
{{- end -}}

{{/* DNS names the in-chart NATS certificate must hold: the client Service and every server (wildcard). */}}
{{- define "balanceai.nats.dnsNames" -}}
{{- $svc := include "balanceai.nats.fullname" . -}}
{{- $headless := include "balanceai.nats.headless" . -}}
{{- $ns := .Release.Namespace -}}
{{- toJson (list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) (printf "*.%s.%s.svc" $headless $ns) (printf "*.%s.%s.svc.cluster.local" $headless $ns)) -}}
{{- end -}}

{{/* Replicas of the chain's stream: nats.stream.replicas, or min(3, nats.replicas) when 0. */}}
{{- define "balanceai.nats.streamReplicas" -}}
{{- $n := .Values.nats -}}
{{- if gt (int $n.stream.replicas) 0 -}}{{ $n.stream.replicas }}{{- else -}}{{ min 3 (int $n.replicas) }}{{- end -}}
{{- end -}}
