{{- define "wmj.name" -}}{{ .Release.Name }}-windmill-jobs{{- end -}}

{{- define "wmj.labels" -}}
app.kubernetes.io/name: windmill-jobs
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "wmj.apiUrl" -}}http://{{ include "wmj.name" . }}-api:{{ .Values.api.service.port }}{{- end -}}

{{/* Pod annotations: Prometheus scraping of /metrics on the given port. */}}
{{- define "wmj.scrape" -}}
{{- if .root.Values.telemetry.prometheusAnnotations -}}
annotations:
  prometheus.io/scrape: "true"
  prometheus.io/path: /metrics
  prometheus.io/port: {{ .port | quote }}
{{- end }}
{{- end -}}

{{/* Settings every process reads: the Secret's (URLs carry passwords) by name, the ConfigMap's whole. */}}
{{- define "wmj.commonEnv" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "wmj.name" . }}, key: DATABASE_URL } }
- name: RABBITMQ_URL
  valueFrom: { secretKeyRef: { name: {{ include "wmj.name" . }}, key: RABBITMQ_URL } }
- name: REDIS_URL
  valueFrom: { secretKeyRef: { name: {{ include "wmj.name" . }}, key: REDIS_URL } }
{{- end -}}
