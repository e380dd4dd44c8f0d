import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace dnstap. */
export namespace dnstap {

    /**
     * Properties of a Dnstap.
     * @deprecated Use dnstap.Dnstap.$Properties instead.
     */
    interface IDnstap extends dnstap.Dnstap.$Properties {
    }

    /** Represents a Dnstap. */
    class Dnstap {

        /**
         * Constructs a new Dnstap.
         * @param [properties] Properties to set
         */
        constructor(properties?: dnstap.Dnstap.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** Dnstap identity. */
        identity: Uint8Array;

        /** Dnstap version. */
        version: Uint8Array;

        /** Dnstap extra. */
        extra: Uint8Array;

        /** Dnstap type. */
        type: dnstap.Dnstap.Type;

        /** Dnstap message. */
        message?: (dnstap.Message.$Properties|null);

        /**
         * Encodes the specified Dnstap message. Does not implicitly {@link dnstap.Dnstap.verify|verify} messages.
         * @param message Dnstap message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: dnstap.Dnstap.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Dnstap message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {dnstap.Dnstap & dnstap.Dnstap.$Shape} Dnstap
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): dnstap.Dnstap & dnstap.Dnstap.$Shape;
    }

    namespace Dnstap {

        /** Properties of a Dnstap. */
        interface $Properties {

            /** Dnstap identity */
            identity?: (Uint8Array|null);

            /** Dnstap version */
            version?: (Uint8Array|null);

            /** Dnstap extra */
            extra?: (Uint8Array|null);

            /** Dnstap type */
            type: dnstap.Dnstap.Type;

            /** Dnstap message */
            message?: (dnstap.Message.$Properties|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a Dnstap. */
        type $Shape = dnstap.Dnstap.$Properties;

        /** Type enum. */
        enum Type {

            /** MESSAGE value */
            MESSAGE = 1
        }
    }

    /** SocketFamily enum. */
    enum SocketFamily {

        /** INET value */
        INET = 1,

        /** INET6 value */
        INET6 = 2
    }

    /** SocketProtocol enum. */
    enum SocketProtocol {

        /** UDP value */
        UDP = 1,

        /** TCP value */
        TCP = 2,

        /** DOT value */
        DOT = 3,

        /** DOH value */
        DOH = 4
    }

    /**
     * Properties of a Message.
     * @deprecated Use dnstap.Message.$Properties instead.
     */
    interface IMessage extends dnstap.Message.$Properties {
    }

    /** Represents a Message. */
    class Message {

        /**
         * Constructs a new Message.
         * @param [properties] Properties to set
         */
        constructor(properties?: dnstap.Message.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** Message type. */
        type: dnstap.Message.Type;

        /** Message socketFamily. */
        socketFamily: dnstap.SocketFamily;

        /** Message socketProtocol. */
        socketProtocol: dnstap.SocketProtocol;

        /** Message queryAddress. */
        queryAddress: Uint8Array;

        /** Message responseAddress. */
        responseAddress: Uint8Array;

        /** Message queryPort. */
        queryPort: number;

        /** Message responsePort. */
        responsePort: number;

        /** Message queryTimeSec. */
        queryTimeSec: (number|Long);

        /** Message queryTimeNsec. */
        queryTimeNsec: number;

        /** Message queryMessage. */
        queryMessage: Uint8Array;

        /** Message queryZone. */
        queryZone: Uint8Array;

        /** Message responseTimeSec. */
        responseTimeSec: (number|Long);

        /** Message responseTimeNsec. */
        responseTimeNsec: number;

        /** Message responseMessage. */
        responseMessage: Uint8Array;

        /**
         * Encodes the specified Message message. Does not implicitly {@link dnstap.Message.verify|verify} messages.
         * @param message Message message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: dnstap.Message.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a Message message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {dnstap.Message & dnstap.Message.$Shape} Message
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): dnstap.Message & dnstap.Message.$Shape;
    }

    namespace Message {

        /** Properties of a Message. */
        interface $Properties {

            /** Message type */
            type: dnstap.Message.Type;

            /** Message socketFamily */
            socketFamily?: (dnstap.SocketFamily|null);

            /** Message socketProtocol */
            socketProtocol?: (dnstap.SocketProtocol|null);

            /** Message queryAddress */
            queryAddress?: (Uint8Array|null);

            /** Message responseAddress */
            responseAddress?: (Uint8Array|null);

            /** Message queryPort */
            queryPort?: (number|null);

            /** Message responsePort */
            responsePort?: (number|null);

            /** Message queryTimeSec */
            queryTimeSec?: (number|Long|null);

            /** Message queryTimeNsec */
            queryTimeNsec?: (number|null);

            /** Message queryMessage */
            queryMessage?: (Uint8Array|null);

            /** Message queryZone */
            queryZone?: (Uint8Array|null);

            /** Message responseTimeSec */
            responseTimeSec?: (number|Long|null);

            /** Message responseTimeNsec */
            responseTimeNsec?: (number|null);

            /** Message responseMessage */
            responseMessage?: (Uint8Array|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a Message. */
        type $Shape = dnstap.Message.$Properties;

        /** Type enum. */
        enum Type {

            /** AUTH_QUERY value */
            AUTH_QUERY = 1,

            /** AUTH_RESPONSE value */
            AUTH_RESPONSE = 2,

            /** RESOLVER_QUERY value */
            RESOLVER_QUERY = 3,

            /** RESOLVER_RESPONSE value */
            RESOLVER_RESPONSE = 4,

            /** CLIENT_QUERY value */
            CLIENT_QUERY = 5,

            /** CLIENT_RESPONSE value */
            CLIENT_RESPONSE = 6,

            /** FORWARDER_QUERY value */
            FORWARDER_QUERY = 7,

            /** FORWARDER_RESPONSE value */
            FORWARDER_RESPONSE = 8,

            /** STUB_QUERY value */
            STUB_QUERY = 9,

            /** STUB_RESPONSE value */
            STUB_RESPONSE = 10,

            /** TOOL_QUERY value */
            TOOL_QUERY = 11,

            /** TOOL_RESPONSE value */
            TOOL_RESPONSE = 12,

            /** UPDATE_QUERY value */
            UPDATE_QUERY = 13,

            /** UPDATE_RESPONSE value */
            UPDATE_RESPONSE = 14
        }
    }
}
