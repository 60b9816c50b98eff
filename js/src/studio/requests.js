// @ts-check
// Request / reply over the widget's custom messages: each request carries a `req` id, and the
// kernel's answer with that id settles it (a `geometry_error` answer rejects, carrying its
// notice). Pure: `send` is the model's send, so Node's test runner checks it without a DOM.

/**
 * @typedef {{ msg: any, buffers: (ArrayBuffer | DataView)[] }} Reply
 */
import { STUDIO_REPLIES } from "../generated/constants.js";

export class Requests {
  /** @param {(content: any) => void} send */
  constructor(send) {
    this.send = send;
    /** @type {Map<string, { resolve: (reply: Reply) => void, reject: (err: Error) => void }>} */
    this.pending = new Map();
    this.reqSeq = 0;
  }

  /**
   * Send `content` with a fresh `req` id; resolves with the kernel's answer.
   * @param {Record<string, any>} content
   * @returns {Promise<Reply>}
   */
  request(content) {
    const req = `r${++this.reqSeq}`;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.send({ ...content, req });
    });
  }

  /**
   * Settle the request a message answers; messages that answer none are left alone.
   * @param {any} msg
   * @param {(ArrayBuffer | DataView)[]} [buffers]
   */
  handle(msg, buffers) {
    const waiting = msg && msg.req ? this.pending.get(msg.req) : undefined;
    if (!waiting) return;
    const { resolve, reject } = waiting;
    this.pending.delete(msg.req);
    if (msg.type === STUDIO_REPLIES.GEOMETRY_ERROR) reject(Object.assign(new Error(msg.notice.text), { notice: msg.notice }));
    else resolve({ msg, buffers: buffers || [] });
  }

  /** Reject every request still waiting (the widget is closing). */
  rejectAll(/** @type {Error} */ err) {
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }
}
