/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const dnstap = $root.dnstap = (() => {

    /**
     * Namespace dnstap.
     * @exports dnstap
     * @namespace
     */
    const dnstap = {};

    dnstap.Dnstap = (function() {

        /**
         * Properties of a Dnstap.
         * @typedef {Object} dnstap.Dnstap.$Properties
         * @property {Uint8Array|null} [identity] Dnstap identity
         * @property {Uint8Array|null} [version] Dnstap version
         * @property {Uint8Array|null} [extra] Dnstap extra
         * @property {dnstap.Dnstap.Type} type Dnstap type
         * @property {dnstap.Message.$Properties|null} [message] Dnstap message
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a Dnstap.
         * @memberof dnstap
         * @interface IDnstap
         * @augments dnstap.Dnstap.$Properties
         * @deprecated Use dnstap.Dnstap.$Properties instead.
         */

        /**
         * Shape of a Dnstap.
         * @typedef {dnstap.Dnstap.$Properties} dnstap.Dnstap.$Shape
         */

        /**
         * Constructs a new Dnstap.
         * @memberof dnstap
         * @classdesc Represents a Dnstap.
         * @constructor
         * @param {dnstap.Dnstap.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const Dnstap = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Dnstap identity.
         * @member {Uint8Array} identity
         * @memberof dnstap.Dnstap
         * @instance
         */
        Dnstap.prototype.identity = $util.newBuffer([]);

        /**
         * Dnstap version.
         * @member {Uint8Array} version
         * @memberof dnstap.Dnstap
         * @instance
         */
        Dnstap.prototype.version = $util.newBuffer([]);

        /**
         * Dnstap extra.
         * @member {Uint8Array} extra
         * @memberof dnstap.Dnstap
         * @instance
         */
        Dnstap.prototype.extra = $util.newBuffer([]);

        /**
         * Dnstap type.
         * @member {dnstap.Dnstap.Type} type
         * @memberof dnstap.Dnstap
         * @instance
         */
        Dnstap.prototype.type = 1;

        /**
         * Dnstap message.
         * @member {dnstap.Message.$Properties|null|undefined} message
         * @memberof dnstap.Dnstap
         * @instance
         */
        Dnstap.prototype.message = null;

        /**
         * Encodes the specified Dnstap message. Does not implicitly {@link dnstap.Dnstap.verify|verify} messages.
         * @function encode
         * @memberof dnstap.Dnstap
         * @static
         * @param {dnstap.Dnstap.$Properties} message Dnstap message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        Dnstap.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.identity != null && $Object.hasOwnProperty.call(message, "identity"))
                writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.identity);
            if (message.version != null && $Object.hasOwnProperty.call(message, "version"))
                writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.version);
            if (message.extra != null && $Object.hasOwnProperty.call(message, "extra"))
                writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.extra);
            if (message.message != null && $Object.hasOwnProperty.call(message, "message"))
                $root.dnstap.Message.encode(message.message, writer.uint32(/* id 14, wireType 2 =*/114).fork(), _depth + 1).ldelim();
            writer.uint32(/* id 15, wireType 0 =*/120).int32(message.type);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a Dnstap message from the specified reader or buffer.
         * @function decode
         * @memberof dnstap.Dnstap
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {dnstap.Dnstap & dnstap.Dnstap.$Shape} Dnstap
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        Dnstap.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.dnstap.Dnstap();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        message.identity = reader.bytes();
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.version = reader.bytes();
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        message.extra = reader.bytes();
                        continue;
                    }
                case 15: {
                        if (wireType !== 0)
                            break;
                        value = reader.int32();
                        if ($root.dnstap.Dnstap.Type[value] !== $undefined)
                            message.type = value;
                        else if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                        continue;
                    }
                case 14: {
                        if (wireType !== 2)
                            break;
                        message.message = $root.dnstap.Message.decode(reader, reader.size(), $undefined, _depth + 1, message.message);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            if (!$Object.hasOwnProperty.call(message, "type"))
                throw $util.ProtocolError("missing required 'type'", { instance: message });
            return message;
        };

        /**
         * Type enum.
         * @name dnstap.Dnstap.Type
         * @enum {number}
         * @property {number} MESSAGE=1 MESSAGE value
         */
        Dnstap.Type = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[1] = "MESSAGE"] = 1;
            return values;
        })();

        return Dnstap;
    })();

    /**
     * SocketFamily enum.
     * @name dnstap.SocketFamily
     * @enum {number}
     * @property {number} INET=1 INET value
     * @property {number} INET6=2 INET6 value
     */
    dnstap.SocketFamily = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[1] = "INET"] = 1;
        values[valuesById[2] = "INET6"] = 2;
        return values;
    })();

    /**
     * SocketProtocol enum.
     * @name dnstap.SocketProtocol
     * @enum {number}
     * @property {number} UDP=1 UDP value
     * @property {number} TCP=2 TCP value
     * @property {number} DOT=3 DOT value
     * @property {number} DOH=4 DOH value
     */
    dnstap.SocketProtocol = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[1] = "UDP"] = 1;
        values[valuesById[2] = "TCP"] = 2;
        values[valuesById[3] = "DOT"] = 3;
        values[valuesById[4] = "DOH"] = 4;
        return values;
    })();

    dnstap.Message = (function() {

        /**
         * Properties of a Message.
         * @typedef {Object} dnstap.Message.$Properties
         * @property {dnstap.Message.Type} type Message type
         * @property {dnstap.SocketFamily|null} [socketFamily] Message socketFamily
         * @property {dnstap.SocketProtocol|null} [socketProtocol] Message socketProtocol
         * @property {Uint8Array|null} [queryAddress] Message queryAddress
         * @property {Uint8Array|null} [responseAddress] Message responseAddress
         * @property {number|null} [queryPort] Message queryPort
         * @property {number|null} [responsePort] Message responsePort
         * @property {number|Long|null} [queryTimeSec] Message queryTimeSec
         * @property {number|null} [queryTimeNsec] Message queryTimeNsec
         * @property {Uint8Array|null} [queryMessage] Message queryMessage
         * @property {Uint8Array|null} [queryZone] Message queryZone
         * @property {number|Long|null} [responseTimeSec] Message responseTimeSec
         * @property {number|null} [responseTimeNsec] Message responseTimeNsec
         * @property {Uint8Array|null} [responseMessage] Message responseMessage
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a Message.
         * @memberof dnstap
         * @interface IMessage
         * @augments dnstap.Message.$Properties
         * @deprecated Use dnstap.Message.$Properties instead.
         */

        /**
         * Shape of a Message.
         * @typedef {dnstap.Message.$Properties} dnstap.Message.$Shape
         */

        /**
         * Constructs a new Message.
         * @memberof dnstap
         * @classdesc Represents a Message.
         * @constructor
         * @param {dnstap.Message.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const Message = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Message type.
         * @member {dnstap.Message.Type} type
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.type = 1;

        /**
         * Message socketFamily.
         * @member {dnstap.SocketFamily} socketFamily
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.socketFamily = 1;

        /**
         * Message socketProtocol.
         * @member {dnstap.SocketProtocol} socketProtocol
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.socketProtocol = 1;

        /**
         * Message queryAddress.
         * @member {Uint8Array} queryAddress
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.queryAddress = $util.newBuffer([]);

        /**
         * Message responseAddress.
         * @member {Uint8Array} responseAddress
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.responseAddress = $util.newBuffer([]);

        /**
         * Message queryPort.
         * @member {number} queryPort
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.queryPort = 0;

        /**
         * Message responsePort.
         * @member {number} responsePort
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.responsePort = 0;

        /**
         * Message queryTimeSec.
         * @member {number|Long} queryTimeSec
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.queryTimeSec = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * Message queryTimeNsec.
         * @member {number} queryTimeNsec
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.queryTimeNsec = 0;

        /**
         * Message queryMessage.
         * @member {Uint8Array} queryMessage
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.queryMessage = $util.newBuffer([]);

        /**
         * Message queryZone.
         * @member {Uint8Array} queryZone
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.queryZone = $util.newBuffer([]);

        /**
         * Message responseTimeSec.
         * @member {number|Long} responseTimeSec
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.responseTimeSec = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * Message responseTimeNsec.
         * @member {number} responseTimeNsec
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.responseTimeNsec = 0;

        /**
         * Message responseMessage.
         * @member {Uint8Array} responseMessage
         * @memberof dnstap.Message
         * @instance
         */
        Message.prototype.responseMessage = $util.newBuffer([]);

        /**
         * Encodes the specified Message message. Does not implicitly {@link dnstap.Message.verify|verify} messages.
         * @function encode
         * @memberof dnstap.Message
         * @static
         * @param {dnstap.Message.$Properties} message Message message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        Message.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            writer.uint32(/* id 1, wireType 0 =*/8).int32(message.type);
            if (message.socketFamily != null && $Object.hasOwnProperty.call(message, "socketFamily"))
                writer.uint32(/* id 2, wireType 0 =*/16).int32(message.socketFamily);
            if (message.socketProtocol != null && $Object.hasOwnProperty.call(message, "socketProtocol"))
                writer.uint32(/* id 3, wireType 0 =*/24).int32(message.socketProtocol);
            if (message.queryAddress != null && $Object.hasOwnProperty.call(message, "queryAddress"))
                writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.queryAddress);
            if (message.responseAddress != null && $Object.hasOwnProperty.call(message, "responseAddress"))
                writer.uint32(/* id 5, wireType 2 =*/42).bytes(message.responseAddress);
            if (message.queryPort != null && $Object.hasOwnProperty.call(message, "queryPort"))
                writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.queryPort);
            if (message.responsePort != null && $Object.hasOwnProperty.call(message, "responsePort"))
                writer.uint32(/* id 7, wireType 0 =*/56).uint32(message.responsePort);
            if (message.queryTimeSec != null && $Object.hasOwnProperty.call(message, "queryTimeSec"))
                writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.queryTimeSec);
            if (message.queryTimeNsec != null && $Object.hasOwnProperty.call(message, "queryTimeNsec"))
                writer.uint32(/* id 9, wireType 5 =*/77).fixed32(message.queryTimeNsec);
            if (message.queryMessage != null && $Object.hasOwnProperty.call(message, "queryMessage"))
                writer.uint32(/* id 10, wireType 2 =*/82).bytes(message.queryMessage);
            if (message.queryZone != null && $Object.hasOwnProperty.call(message, "queryZone"))
                writer.uint32(/* id 11, wireType 2 =*/90).bytes(message.queryZone);
            if (message.responseTimeSec != null && $Object.hasOwnProperty.call(message, "responseTimeSec"))
                writer.uint32(/* id 12, wireType 0 =*/96).uint64(message.responseTimeSec);
            if (message.responseTimeNsec != null && $Object.hasOwnProperty.call(message, "responseTimeNsec"))
                writer.uint32(/* id 13, wireType 5 =*/109).fixed32(message.responseTimeNsec);
            if (message.responseMessage != null && $Object.hasOwnProperty.call(message, "responseMessage"))
                writer.uint32(/* id 14, wireType 2 =*/114).bytes(message.responseMessage);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a Message message from the specified reader or buffer.
         * @function decode
         * @memberof dnstap.Message
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {dnstap.Message & dnstap.Message.$Shape} Message
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        Message.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.dnstap.Message();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        value = reader.int32();
                        if ($root.dnstap.Message.Type[value] !== $undefined)
                            message.type = value;
                        else if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        value = reader.int32();
                        if ($root.dnstap.SocketFamily[value] !== $undefined)
                            message.socketFamily = value;
                        else if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        value = reader.int32();
                        if ($root.dnstap.SocketProtocol[value] !== $undefined)
                            message.socketProtocol = value;
                        else if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        message.queryAddress = reader.bytes();
                        continue;
                    }
                case 5: {
                        if (wireType !== 2)
                            break;
                        message.responseAddress = reader.bytes();
                        continue;
                    }
                case 6: {
                        if (wireType !== 0)
                            break;
                        message.queryPort = reader.uint32();
                        continue;
                    }
                case 7: {
                        if (wireType !== 0)
                            break;
                        message.responsePort = reader.uint32();
                        continue;
                    }
                case 8: {
                        if (wireType !== 0)
                            break;
                        message.queryTimeSec = reader.uint64();
                        continue;
                    }
                case 9: {
                        if (wireType !== 5)
                            break;
                        message.queryTimeNsec = reader.fixed32();
                        continue;
                    }
                case 10: {
                        if (wireType !== 2)
                            break;
                        message.queryMessage = reader.bytes();
                        continue;
                    }
                case 11: {
                        if (wireType !== 2)
                            break;
                        message.queryZone = reader.bytes();
                        continue;
                    }
                case 12: {
                        if (wireType !== 0)
                            break;
                        message.responseTimeSec = reader.uint64();
                        continue;
                    }
                case 13: {
                        if (wireType !== 5)
                            break;
                        message.responseTimeNsec = reader.fixed32();
                        continue;
                    }
                case 14: {
                        if (wireType !== 2)
                            break;
                        message.responseMessage = reader.bytes();
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            if (!$Object.hasOwnProperty.call(message, "type"))
                throw $util.ProtocolError("missing required 'type'", { instance: message });
            return message;
        };

        /**
         * Type enum.
         * @name dnstap.Message.Type
         * @enum {number}
         * @property {number} AUTH_QUERY=1 AUTH_QUERY value
         * @property {number} AUTH_RESPONSE=2 AUTH_RESPONSE value
         * @property {number} RESOLVER_QUERY=3 RESOLVER_QUERY value
         * @property {number} RESOLVER_RESPONSE=4 RESOLVER_RESPONSE value
         * @property {number} CLIENT_QUERY=5 CLIENT_QUERY value
         * @property {number} CLIENT_RESPONSE=6 CLIENT_RESPONSE value
         * @property {number} FORWARDER_QUERY=7 FORWARDER_QUERY value
         * @property {number} FORWARDER_RESPONSE=8 FORWARDER_RESPONSE value
         * @property {number} STUB_QUERY=9 STUB_QUERY value
         * @property {number} STUB_RESPONSE=10 STUB_RESPONSE value
         * @property {number} TOOL_QUERY=11 TOOL_QUERY value
         * @property {number} TOOL_RESPONSE=12 TOOL_RESPONSE value
         * @property {number} UPDATE_QUERY=13 UPDATE_QUERY value
         * @property {number} UPDATE_RESPONSE=14 UPDATE_RESPONSE value
         */
        Message.Type = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[1] = "AUTH_QUERY"] = 1;
            values[valuesById[2] = "AUTH_RESPONSE"] = 2;
            values[valuesById[3] = "RESOLVER_QUERY"] = 3;
            values[valuesById[4] = "RESOLVER_RESPONSE"] = 4;
            values[valuesById[5] = "CLIENT_QUERY"] = 5;
            values[valuesById[6] = "CLIENT_RESPONSE"] = 6;
            values[valuesById[7] = "FORWARDER_QUERY"] = 7;
            values[valuesById[8] = "FORWARDER_RESPONSE"] = 8;
            values[valuesById[9] = "STUB_QUERY"] = 9;
            values[valuesById[10] = "STUB_RESPONSE"] = 10;
            values[valuesById[11] = "TOOL_QUERY"] = 11;
            values[valuesById[12] = "TOOL_RESPONSE"] = 12;
            values[valuesById[13] = "UPDATE_QUERY"] = 13;
            values[valuesById[14] = "UPDATE_RESPONSE"] = 14;
            return values;
        })();

        return Message;
    })();

    return dnstap;
})();

export {
  $root as default
};
