// Thumbnails: one shared offscreen viewport renders each ready asset once, the PNG is
// cached by the kernel (so the next Studio gets it without any geometry) and shown as <img>.
import { createViewport, clampJoint, SINGLE_DOF } from "../viewer/viewport.js";
import { dataUrlToBytes, transparentBackground } from "./dom.js";

export class Thumbnails {
  /**
   * `view` is the StudioView (requests to the kernel, the rows to hand URLs to); the viewport
   * draws into `offscreen`, a hidden element of the Studio.
   */
  constructor(view, offscreen) {
    this.view = view;
    this.offscreen = offscreen;
    this.thumbs = new Map(); // id -> object URL
    this.thumbQueue = [];
    this.thumbBusy = false;
    this.thumbViewport = null;
    this.disposed = false;
  }

  wantThumb(id, img) {
    if (this.thumbs.has(id)) { img.src = this.thumbs.get(id); return; }
    if (this.thumbQueue.some((q) => q.id === id)) return;
    this.thumbQueue.push({ id, img });
    this.pumpThumbs();
  }

  async pumpThumbs() {
    if (this.thumbBusy || this.disposed) return;
    this.thumbBusy = true;
    try {
      while (this.thumbQueue.length && !this.disposed) {
        const { id } = this.thumbQueue.shift();
        try {
          const { msg, buffers } = await this.view.request({ type: "thumb", id });
          let url;
          if (msg.type === "thumb") {
            url = URL.createObjectURL(new Blob([buffers[0]], { type: "image/png" }));
          } else {
            if (!this.thumbViewport) this.thumbViewport = createViewport(this.offscreen, { height: 144 });
            await this.thumbViewport.setModel(msg.meta, buffers);
            this.thumbViewport.setGrid(false); // at 96 px the grid is only noise behind the model
            this.thumbViewport.setPose(thumbPose(msg.meta));
            this.thumbViewport.fit();
            const shot = await this.thumbViewport.screenshot();
            const png = typeof shot === "string" ? new Blob([dataUrlToBytes(shot)], { type: "image/png" }) : shot;
            // Transparent background: the row's themed tile shows through, light or dark.
            const bytes = await transparentBackground(png);
            url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
            this.view.model.send({ type: "thumb_png", id }, undefined, [bytes.buffer]);
          }
          this.thumbs.set(id, url);
          this.view.list.rows.get(id)?.setThumb(url);
        } catch { /* no thumbnail: the row keeps its placeholder */ }
      }
    } finally {
      this.thumbBusy = false;
      if (this.thumbViewport && !this.thumbQueue.length) { this.thumbViewport.dispose(); this.thumbViewport = null; }
    }
  }

  dispose() {
    this.disposed = true;
    for (const url of this.thumbs.values()) URL.revokeObjectURL(url);
  }
}

/**
 * A pose that shows what moves: hinges bent a little, alternately one way and the other (a
 * straight arm at zero is a vertical stick in a thumbnail), sliders half out; wheels at rest.
 */
export function thumbPose(meta) {
  const pose = {};
  let n = 0;
  for (const joint of meta?.joints || []) {
    if (!SINGLE_DOF.has(joint.type) || joint.type === "continuous") continue;
    if (joint.type === "prismatic") {
      if (joint.limits) pose[joint.name] = clampJoint(joint, (joint.limits.lower + joint.limits.upper) / 2);
      continue;
    }
    pose[joint.name] = clampJoint(joint, n++ % 2 ? -0.5 : 0.7);
  }
  return pose;
}
