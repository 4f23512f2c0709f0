export declare const caCert: Buffer;
export declare const serverCert: Buffer;
export declare const serverKey: Buffer;
export declare const clientCert: Buffer;
export declare const clientKey: Buffer;
export declare const otherCaCert: Buffer;
export declare const otherServerCert: Buffer;
export declare const otherServerKey: Buffer;
