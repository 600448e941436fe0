{{/*
Labels every object of the release carries.
*/}}
{{- define "meshctl.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: meshctl
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/*
Labels of the control plane: Istio's (app=istiod, istio=pilot, istio.io/rev), which tools such as
istioctl and dashboards select on, plus the release labels.
*/}}
{{- define "meshctl.istiodLabels" -}}
app: istiod
istio: pilot
istio.io/rev: {{ include "meshctl.revision" . }}
{{ include "meshctl.labels" . }}
{{- end }}

{{/*
The pod selector of the control plane. Never change it: a Deployment's selector is immutable, so an
upgrade that changed it would fail.
*/}}
{{- define "meshctl.istiodSelector" -}}
app: istiod
istio.io/rev: {{ include "meshctl.revision" . }}
{{- end }}

{{/*
The revision name used in labels and selectors ("default" for the default revision).
*/}}
{{- define "meshctl.revision" -}}
{{- .Values.revision | default "default" -}}
{{- end }}

{{/*
The control plane image reference: repository, then digest if given, else tag (default appVersion).
*/}}
{{- define "meshctl.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/*
The istio-proxy image (sidecar and gateway): global.proxy.image as is when it contains a slash,
else hub/image:tag, as the injector computes it.
*/}}
{{- define "meshctl.proxyImage" -}}
{{- if contains "/" .Values.global.proxy.image -}}
{{ .Values.global.proxy.image }}
{{- else -}}
{{ .Values.global.hub }}/{{ .Values.global.proxy.image }}:{{ .Values.global.tag }}
{{- end -}}
{{- end }}

{{/*
Where sidecars reach the control plane's TLS xDS and CA port.
*/}}
{{- define "meshctl.discoveryAddress" -}}
{{- .Values.global.caAddress | default (printf "istiod.%s.svc:15012" .Release.Namespace) -}}
{{- end }}

{{/*
The smallest number of replicas the control plane is guaranteed to run.
*/}}
{{- define "meshctl.minReplicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{ .Values.autoscaling.minReplicas | int }}
{{- else -}}
{{ .Values.replicaCount | int }}
{{- end -}}
{{- end }}

{{/*
Fixed ports of the control plane. The Deployment's flags, container ports and the Service all take
them from here, so they cannot drift apart.
*/}}
{{- define "meshctl.port.xds" -}}15010{{- end }}
{{- define "meshctl.port.secureXds" -}}15012{{- end }}
{{- define "meshctl.port.monitoring" -}}15014{{- end }}
{{- define "meshctl.port.webhook" -}}15017{{- end }}

{{/*
The mesh config (ConfigMap istio, key mesh): the chart's defaults with .Values.meshConfig over them.
*/}}
{{- define "meshctl.meshConfig" -}}
{{- $defaults := dict
  "rootNamespace" .Release.Namespace
  "trustDomain" "cluster.local"
  "outboundTrafficPolicy" (dict "mode" "ALLOW_ANY")
  "defaultConfig" (dict "discoveryAddress" (include "meshctl.discoveryAddress" .))
-}}
{{- $mesh := mustMergeOverwrite $defaults (deepCopy .Values.meshConfig) -}}
{{- toYaml $mesh -}}
{{- end }}

{{/*
What the four injection webhooks share; takes (dict "root" $ "hook" .Values.sidecarInjectorWebhook).
*/}}
{{- define "meshctl.injectionWebhookCommon" }}
    clientConfig:
      service:
        name: istiod
        namespace: {{ .root.Release.Namespace }}
        path: /inject
        port: 443
    rules:
      - operations: ["CREATE"]
        apiGroups: [""]
        apiVersions: ["v1"]
        resources: ["pods"]
    failurePolicy: {{ .hook.failurePolicy }}
    reinvocationPolicy: {{ .hook.reinvocationPolicy }}
    sideEffects: None
    admissionReviewVersions: ["v1"]
    timeoutSeconds: {{ .hook.timeoutSeconds }}
{{- end }}

{{/*
The release namespace, for the names of cluster-scoped objects (which must not clash between two
installs in different namespaces). Only `helm lint` renders without a namespace; it gets the default.
*/}}
{{- define "meshctl.namespace" -}}
{{- .Release.Namespace | default "istio-system" -}}
{{- end }}
