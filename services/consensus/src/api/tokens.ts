export const GENESIS = Symbol('GENESIS');
export const CONFIG = Symbol('CONFIG');
