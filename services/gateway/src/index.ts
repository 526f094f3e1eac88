export { createGatewayApp, type CreateGatewayAppOptions } from './app.js';
export { ConfigError, loadGatewayConfig, type GatewayConfig } from './config/gateway-config.js';
export { ConsensusClient, type ConsensusClientOptions, type ConsensusRpc, type RequestOf, type ResponseOf } from './consensus/consensus-client.js';
export { GatewayExceptionFilter } from './errors/gateway-exception.filter.js';
export { toHttpError, type HttpError, type HttpErrorBody } from './errors/http-error.js';
export { MAX_BODY_BYTES, MAX_EXTRINSIC_BYTES, parseBlockId, type BlockId } from './http/request-params.js';
export { BlockStream, type BlockListener, type BlockStreamOptions } from './stream/block-stream.js';
export { BLOCKS_WS_PATH } from './stream/blocks-websocket.js';
export { chainStreamName, finalizedBlocksSubject, parseFinalizedBlock, type FinalizedBlockMessage } from './stream/finalized-block.js';
