{{- define "hookscribe.labels" -}}
app.kubernetes.io/name: hookscribe
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
{{- define "hookscribe.selector" -}}
app.kubernetes.io/name: hookscribe
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
