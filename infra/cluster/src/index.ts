export { startCluster, type Cluster, type ClusterOptions, type ClusterProxy } from './cluster.js';
export { renderNginxConfig, type NginxTarget } from './nginx/render.js';
export { composeTarget, deployConfigs, k8sTarget, localTarget } from './nginx/targets.js';
