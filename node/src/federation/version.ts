/** The software version NodeInfo and the User-Agent of outbound requests name. */
export const SOFTWARE_VERSION = "0.1.0";
