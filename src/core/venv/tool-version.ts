// The no-op path loads as few modules as it can: the version lives with the marker.
export { toolVersion } from './marker.js';
