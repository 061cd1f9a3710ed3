//! The frames of the long connection: protobuf 2 messages sent as binary websocket messages
//! (oapi-sdk-go `ws/pbbp2.pb.go`, node-sdk `ws-client/proto-buf/pbbp2.js`). Declared by hand
//! with `prost` derives; no build script.

/// One `key`/`value` header of a frame (`pbbp2.Header`).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Header {
    /// Field 1, required.
    #[prost(string, required, tag = "1")]
    pub(crate) key: String,
    /// Field 2, required.
    #[prost(string, required, tag = "2")]
    pub(crate) value: String,
}

/// A frame (`pbbp2.Frame`).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Frame {
    /// Field 1 `SeqID`.
    #[prost(uint64, required, tag = "1")]
    pub(crate) seq_id: u64,
    /// Field 2 `LogID`.
    #[prost(uint64, required, tag = "2")]
    pub(crate) log_id: u64,
    /// Field 3 `service`: the `service_id` of the connection URL.
    #[prost(int32, required, tag = "3")]
    pub(crate) service: i32,
    /// Field 4 `method`: [`METHOD_CONTROL`] or [`METHOD_DATA`].
    #[prost(int32, required, tag = "4")]
    pub(crate) method: i32,
    /// Field 5 `headers`.
    #[prost(message, repeated, tag = "5")]
    pub(crate) headers: Vec<Header>,
    /// Field 6 `payload_encoding`.
    #[prost(string, optional, tag = "6")]
    pub(crate) payload_encoding: Option<String>,
    /// Field 7 `payload_type`.
    #[prost(string, optional, tag = "7")]
    pub(crate) payload_type: Option<String>,
    /// Field 8 `payload`.
    #[prost(bytes = "vec", optional, tag = "8")]
    pub(crate) payload: Option<Vec<u8>>,
    /// Field 9 `LogIDNew`.
    #[prost(string, optional, tag = "9")]
    pub(crate) log_id_new: Option<String>,
}

/// `method` of control frames: ping, pong (oapi-sdk-go `ws/const.go` `FrameTypeControl`).
pub(crate) const METHOD_CONTROL: i32 = 0;
/// `method` of data frames: events, cards (oapi-sdk-go `ws/const.go` `FrameTypeData`).
pub(crate) const METHOD_DATA: i32 = 1;

/// Header names (oapi-sdk-go `ws/const.go`).
pub(crate) mod header {
    /// Message type: `ping`, `pong`, `event`, `card`.
    pub(crate) const TYPE: &str = "type";
    /// Message id, shared by the fragments of one message.
    pub(crate) const MESSAGE_ID: &str = "message_id";
    /// Number of fragments (1 when whole).
    pub(crate) const SUM: &str = "sum";
    /// Fragment index, from 0.
    pub(crate) const SEQ: &str = "seq";
    /// Trace id, for logs.
    pub(crate) const TRACE_ID: &str = "trace_id";
    /// Handling time in ms, added to the acknowledgement.
    pub(crate) const BIZ_RT: &str = "biz_rt";
}

/// Message types (oapi-sdk-go `ws/const.go` `MessageType*`).
pub(crate) mod message_type {
    /// An event.
    pub(crate) const EVENT: &str = "event";
    /// A card callback (not handled, as in the official SDKs).
    pub(crate) const CARD: &str = "card";
    /// A ping from the client.
    pub(crate) const PING: &str = "ping";
    /// The server's answer to a ping; may carry a new client config.
    pub(crate) const PONG: &str = "pong";
}

impl Frame {
    /// The first value of header `key`.
    pub(crate) fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }

    /// Header `key` as a number, if present and numeric.
    pub(crate) fn header_u32(&self, key: &str) -> Option<u32> {
        self.header(key).and_then(|v| v.trim().parse().ok())
    }

    /// A ping frame for the connection's service id (oapi-sdk-go `ws/model.go` `NewPingFrame`).
    pub(crate) fn ping(service: i32) -> Frame {
        Frame {
            service,
            method: METHOD_CONTROL,
            headers: vec![Header {
                key: header::TYPE.into(),
                value: message_type::PING.into(),
            }],
            ..Frame::default()
        }
    }

    /// The acknowledgement of this data frame: the same frame with a `biz_rt` header and
    /// the JSON response `{"code", "headers", "data"}` as payload (oapi-sdk-go `ws/client.go`
    /// `handleDataFrame`, `ws/model.go` `Response`).
    pub(crate) fn ack(mut self, code: u16, biz_rt_ms: u128) -> Frame {
        self.headers.push(Header {
            key: header::BIZ_RT.into(),
            value: biz_rt_ms.to_string(),
        });
        let response = serde_json::json!({ "code": code, "headers": null, "data": null });
        self.payload = Some(response.to_string().into_bytes());
        self
    }
}
