// The restricted Pod Security Standard, for workers and the control plane alike: non-root with a
// fixed uid (the image's `live2vod` user), read-only root filesystem (scratch lives in an emptyDir),
// no privilege escalation, no capabilities, RuntimeDefault seccomp. Pure.
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

/** The uid/gid of the `live2vod` user in deploy/Dockerfile. */
export const imageUid = 10001;

export function podSecurityContext(): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: imageUid,
    runAsGroup: imageUid,
    // Mounted Secrets and emptyDirs become readable/writable by this group.
    fsGroup: imageUid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): ISecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
