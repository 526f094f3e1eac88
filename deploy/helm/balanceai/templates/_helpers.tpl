{{/* Names */}}
{{- define "balanceai.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "balanceai.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Truncated to 40 above so that "<fullname>-validator-headless" and per-pod names stay within 63. */}}
{{- define "balanceai.validator.fullname" -}}{{ include "balanceai.fullname" . }}-validator{{- end -}}
{{- define "balanceai.validator.headless" -}}{{ include "balanceai.validator.fullname" . }}-headless{{- end -}}
{{- define "balanceai.gateway.fullname" -}}{{ include "balanceai.fullname" . }}-gateway{{- end -}}
{{- define "balanceai.nats.fullname" -}}{{ include "balanceai.fullname" . }}-nats{{- end -}}
{{- define "balanceai.genesis.configMapName" -}}
{{- .Values.genesis.existingConfigMap | default (printf "%s-genesis" (include "balanceai.fullname" .)) -}}
{{- end -}}

{{/* Labels */}}
{{- define "balanceai.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "balanceai.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: balanceai
{{- end -}}

{{/* selectorLabels: pass (dict "ctx" $ "component" "validator") */}}
{{- define "balanceai.selectorLabels" -}}
app.kubernetes.io/name: {{ include "balanceai.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "balanceai.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Cross-field rules the schema cannot state with a clear message. */}}
{{- define "balanceai.validate" -}}
{{- if and (eq .Values.validators.keys.source "existingSecret") (not .Values.validators.keys.existingSecret) -}}
{{- fail "validators.keys.existingSecret is required when validators.keys.source is existingSecret" -}}
{{- end -}}
{{- if .Values.postgresql.external.enabled -}}
{{- if not .Values.postgresql.external.host -}}
{{- fail "postgresql.external.host is required when postgresql.external.enabled is true" -}}
{{- end -}}
{{- if not .Values.postgresql.external.existingSecret -}}
{{- fail "postgresql.external.existingSecret (the password Secret) is required when postgresql.external.enabled is true" -}}
{{- end -}}
{{- if not (contains "{ordinal}" .Values.postgresql.external.databaseTemplate) -}}
{{- fail "postgresql.external.databaseTemplate must contain {ordinal}: every validator needs its own database" -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.nats.enabled) (not .Values.nats.url) -}}
{{- fail "nats.url is required when nats.enabled is false" -}}
{{- end -}}
{{- if and .Values.nats.tls.enabled (not .Values.nats.enabled) (not .Values.nats.tls.existingSecret) -}}
{{- fail "nats.tls.existingSecret (a Secret with ca.crt, the CA of the external NATS) is required when nats.tls.enabled is true and nats.enabled is false" -}}
{{- end -}}
{{- if and .Values.nats.enabled (gt (int (include "balanceai.nats.streamReplicas" .)) (int .Values.nats.replicas)) -}}
{{- fail (printf "nats.stream.replicas (%v) cannot exceed nats.replicas (%v): JetStream keeps each replica on its own server" .Values.nats.stream.replicas .Values.nats.replicas) -}}
{{- end -}}
{{- if and .Values.nats.enabled (eq (int .Values.nats.replicas) 2) -}}
{{- fail "nats.replicas must be 1 or at least 3: a JetStream cluster of 2 loses its quorum when either server goes" -}}
{{- end -}}
{{- if eq .Values.validators.mode "combined" -}}
{{- range $name, $m := .Values.validators.modules -}}
{{- if and $m.enabled (not (has $name (list "emissions" "staking" "models"))) -}}
{{- fail (printf "validators.modules.%s needs validators.mode split: `run validator` (combined mode) starts emissions, staking and (with the genesis section) models only" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.validators.modules.models.enabled .Values.genesis.json (not .Values.genesis.existingConfigMap) -}}
{{- if not (hasKey (fromJson .Values.genesis.json) "models") -}}
{{- fail "validators.modules.models needs a genesis with a \"models\" section (balanceai genesis --models): without it the chain has no Models pallet and the models service refuses to start" -}}
{{- end -}}
{{- end -}}
{{- if and (include "balanceai.models.worker" .) (not .Values.validators.modelsWorker.gatewayUrl) (not .Values.gateway.enabled) -}}
{{- fail "validators.modelsWorker needs the chart's gateway (gateway.enabled) or validators.modelsWorker.gatewayUrl: the scoring worker is a client of a gateway" -}}
{{- end -}}
{{- if and (not (include "balanceai.genesis.fromConfigMap" .)) (ne .Values.validators.keys.source "devnet") -}}
{{- fail "set genesis.json (--set-file genesis.json=genesis.json) or genesis.existingConfigMap: only devnet keys may generate their genesis" -}}
{{- end -}}
{{- end -}}

{{/* Non-empty when each validator pod runs the models scoring worker (the models module and modelsWorker enabled). */}}
{{- define "balanceai.models.worker" -}}
{{- if and .Values.validators.modules.models.enabled .Values.validators.modelsWorker.enabled -}}true{{- end -}}
{{- end -}}

{{/* The gateway the scoring worker reads and submits through: modelsWorker.gatewayUrl, else the chart's gateway Service. */}}
{{- define "balanceai.models.workerGatewayUrl" -}}
{{- if .Values.validators.modelsWorker.gatewayUrl -}}
{{- .Values.validators.modelsWorker.gatewayUrl -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%v" (include "balanceai.gateway.fullname" .) .Release.Namespace .Values.gateway.service.port -}}
{{- end -}}
{{- end -}}

{{/* Non-empty when the genesis comes from a ConfigMap (given or rendered). */}}
{{- define "balanceai.genesis.fromConfigMap" -}}
{{- if or .Values.genesis.existingConfigMap .Values.genesis.json -}}true{{- end -}}
{{- end -}}

{{/* NATS_URL without credentials: every in-chart server by its own name (a client moves to another when one goes), or nats.url. */}}
{{- define "balanceai.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- if gt (int .Values.nats.replicas) 1 -}}
{{- $urls := list -}}
{{- range $i := until (int $.Values.nats.replicas) -}}
{{- $urls = append $urls (printf "nats://%s:4222" (include "balanceai.nats.podHost" (dict "ctx" $ "i" $i))) -}}
{{- end -}}
{{- join "," $urls -}}
{{- else -}}
nats://{{ include "balanceai.nats.fullname" . }}.{{ .Release.Namespace }}.svc:4222
{{- end -}}
{{- else -}}
{{ .Values.nats.url }}
{{- end -}}
{{- end -}}

{{/* DATABASE_URL of a validator pod; $(...) are expanded by Kubernetes from earlier env vars. */}}
{{- define "balanceai.databaseUrl" -}}
{{- $pg := .Values.postgresql -}}
{{- if $pg.external.enabled -}}
{{- $db := replace "{ordinal}" "$(BAI_POD_INDEX)" $pg.external.databaseTemplate -}}
postgresql://{{ $pg.external.user }}:$(BAI_DB_PASSWORD)@{{ $pg.external.host }}:{{ $pg.external.port }}/{{ $db }}{{ if $pg.external.parameters }}?{{ $pg.external.parameters }}{{ end }}
{{- else -}}
postgresql://{{ $pg.sidecar.user }}@127.0.0.1:5432/{{ $pg.sidecar.database }}
{{- end -}}
{{- end -}}

{{/* OTel variables; pass (dict "ctx" $ "service" "balanceai-consensus") */}}
{{- define "balanceai.otelEnv" -}}
{{- $otel := .ctx.Values.otel -}}
- name: OTEL_SERVICE_NAME
  value: {{ .service | quote }}
{{- if $otel.endpoint }}
- name: OTEL_TRACES_EXPORTER
  value: otlp
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $otel.endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $otel.protocol | quote }}
{{- else }}
- name: OTEL_TRACES_EXPORTER
  value: none
{{- end }}
{{- $attrs := list "k8s.pod.name=$(POD_NAME)" (printf "k8s.namespace.name=%s" .ctx.Release.Namespace) }}
{{- range $k, $v := $otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $k $v) }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ join "," $attrs | quote }}
{{- end -}}

{{/*
Environment of a validator container; pass (dict "ctx" $ "service" "validator|consensus|migrate|<module>" "httpPort" N).
  validator (combined mode): consensus, emissions and staking in one process (`run validator`);
  consensus (split mode): the key, NATS and BAI_MODULES; a module: its own gRPC port on loopback only;
  migrate: the database only.
POD_NAME and BAI_POD_INDEX come first: later values refer to them.
*/}}
{{- define "balanceai.validatorEnv" -}}
{{- $v := .ctx.Values.validators -}}
{{- $isConsensus := has .service (list "validator" "consensus") -}}
{{- $isModule := hasKey $v.modules .service -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: BAI_POD_INDEX
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
{{- if .ctx.Values.postgresql.external.enabled }}
- name: BAI_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .ctx.Values.postgresql.external.existingSecret }}
      key: {{ .ctx.Values.postgresql.external.passwordKey }}
{{- end }}
- name: DATABASE_URL
  value: {{ include "balanceai.databaseUrl" .ctx | quote }}
- name: BAI_GENESIS_FILE
  value: /etc/balanceai/genesis/genesis.json
{{- if $isConsensus }}
- name: BAI_VALIDATOR_KEY_FILE
  value: /var/run/balanceai/keys/validator.key
# Only consensus talks to NATS, as this validator's own user; the validator-key init container copied
# its password (key validator-<ordinal> of the NATS auth Secret) into an in-memory volume.
- name: NATS_URL
  value: {{ include "balanceai.natsUrl" .ctx | quote }}
- name: NATS_USER
  value: validator-$(BAI_POD_INDEX)
- name: NATS_PASSWORD_FILE
  value: /var/run/balanceai/nats/password
{{- if .ctx.Values.nats.enabled }}
# replicas consensus gives the chain stream should it create it (the nats-stream init container does first)
- name: BAI_NATS_STREAM_REPLICAS
  value: {{ include "balanceai.nats.streamReplicas" .ctx | quote }}
{{- end }}
{{- with include "balanceai.nats.caFile" .ctx }}
- name: NATS_TLS_CA_FILE
  value: {{ . }}
{{- end }}
{{- with include "balanceai.validator.modulesEnv" .ctx }}
# the module services of this validator, in the same pod, on its loopback (consensus orders them itself)
- name: BAI_MODULES
  value: {{ . | quote }}
{{- end }}
- name: BAI_GRPC_PORT
  value: {{ $v.ports.grpc | quote }}
# consensus gRPC is reached by the gateway through the validator's Service; module gRPC stays on loopback
- name: BAI_GRPC_HOST
  value: "0.0.0.0"
{{- if eq .service "validator" }}
# `run validator` starts the modules itself: their gRPC (loopback) and HTTP ports
- name: BAI_MODULE_GRPC_HOST
  value: "127.0.0.1"
{{- range $name, $m := $v.modules }}
{{- if $m.enabled }}
- name: BAI_{{ upper $name }}_GRPC_PORT
  value: {{ $m.grpcPort | quote }}
- name: BAI_{{ upper $name }}_HTTP_PORT
  value: {{ $m.httpPort | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- else if $isModule }}
# this module's gRPC, on the pod's loopback: only this validator's consensus calls it
- name: BAI_{{ upper .service }}_GRPC_PORT
  value: {{ (get $v.modules .service).grpcPort | quote }}
- name: BAI_GRPC_HOST
  value: "127.0.0.1"
{{- end }}
{{- if ne .service "migrate" }}
- name: BAI_HTTP_PORT
  value: {{ .httpPort | quote }}
# kubelet probes and Prometheus reach /healthz, /readyz and /metrics on the pod IP
- name: BAI_HTTP_HOST
  value: "0.0.0.0"
# written by the validator-key init container; consensus and its modules share it (libs/module-host)
- name: BAI_MODULE_TOKEN_FILE
  value: /var/run/balanceai/module-token/token
{{- end }}
- name: LOG_LEVEL
  value: {{ .ctx.Values.logLevel | quote }}
{{ include "balanceai.otelEnv" (dict "ctx" .ctx "service" (printf "balanceai-%s" .service)) }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* BAI_MODULES of consensus: name=127.0.0.1:grpcPort of every enabled module, comma-separated. */}}
{{- define "balanceai.validator.modulesEnv" -}}
{{- $modules := list -}}
{{- range $name, $m := .Values.validators.modules -}}
{{- if $m.enabled -}}
{{- $modules = append $modules (printf "%s=127.0.0.1:%v" $name $m.grpcPort) -}}
{{- end -}}
{{- end -}}
{{- join "," $modules -}}
{{- end -}}

{{/* The names of the enabled modules, as a JSON list (sorted: range over a map is). */}}
{{- define "balanceai.validator.enabledModules" -}}
{{- $names := list -}}
{{- range $name, $m := .Values.validators.modules -}}
{{- if $m.enabled -}}{{- $names = append $names $name -}}{{- end -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* Probes on the HTTP port of a service; pass (dict "ctx" $ "port" "http") */}}
{{- define "balanceai.validatorProbes" -}}
{{- $v := .ctx.Values.validators -}}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ .port }}
  {{- toYaml $v.startupProbe | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ .port }}
  {{- toYaml $v.readinessProbe | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ .port }}
  {{- toYaml $v.livenessProbe | nindent 2 }}
{{- end -}}

{{/* Volume mounts of a node container; pass (dict "ctx" $ "withKey" bool): the key and NATS credentials go to consensus only */}}
{{- define "balanceai.validator.volumeMounts" -}}
- name: genesis
  mountPath: /etc/balanceai/genesis
  readOnly: true
{{- if .withKey }}
- name: keys
  mountPath: /var/run/balanceai/keys
  readOnly: true
- name: nats-credentials
  mountPath: /var/run/balanceai/nats
  readOnly: true
{{- include "balanceai.nats.caVolumeMount" .ctx }}
{{- end }}
- name: module-token
  mountPath: /var/run/balanceai/module-token
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}
