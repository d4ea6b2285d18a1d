{{- define "wmj.name" -}}{{ .Release.Name }}-windmill-jobs{{- end -}}

{{- define "wmj.labels" -}}
app.kubernetes.io/name: windmill-jobs
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "wmj.apiUrl" -}}http://{{ include "wmj.name" . }}-api:{{ .Values.api.service.port }}{{- end -}}

{{/* Settings every process reads: from the Secret (URLs carry passwords) and the ConfigMap. */}}
{{- define "wmj.commonEnv" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "wmj.name" . }}, key: DATABASE_URL } }
- name: RABBITMQ_URL
  valueFrom: { secretKeyRef: { name: {{ include "wmj.name" . }}, key: RABBITMQ_URL } }
- name: REDIS_URL
  valueFrom: { secretKeyRef: { name: {{ include "wmj.name" . }}, key: REDIS_URL } }
- name: BASE_INTERNAL_URL
  valueFrom: { configMapKeyRef: { name: {{ include "wmj.name" . }}, key: BASE_INTERNAL_URL } }
{{- end -}}
