// The no-op path loads as few modules as it can: the result lives with the marker.
export { resultFromMarker, type SyncResult } from './marker.js';
