export const GENESIS = Symbol('GENESIS');
export const CONFIG = Symbol('CONFIG');
export const METRICS = Symbol('METRICS');
