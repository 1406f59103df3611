# Helpers for Kubernetes manifests, imported by the README's example.
def app: .metadata.labels.app // .metadata.name;
def images: [.. | objects | .image? // empty];
