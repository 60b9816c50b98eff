// @ts-check
// Shared JSDoc types of the front end (no code): what the widgets use of an anywidget model,
// and the model metadata encode_model() sends (gizmo_notebook/viewer/encode.py).

/**
 * What the widgets use of an anywidget / ipywidgets model (Backbone-like in every host).
 * @typedef {object} WidgetModel
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {() => void} save_changes
 * @property {(content: any, callbacks?: any, buffers?: (ArrayBuffer | ArrayBufferView)[]) => void} send
 * @property {(event: string, callback: (...args: any[]) => void) => void} on
 * @property {(event: string, callback: (...args: any[]) => void) => void} off
 * @property {{ get_model(id: string): Promise<WidgetModel> }} widget_manager
 */

/**
 * @typedef {object} JointMeta
 * @property {string} name
 * @property {string} type  one of JOINT_TYPES (generated/constants.js)
 * @property {string} parent  link name
 * @property {string} child  link name
 * @property {number[]} origin  4x4 matrix, column-major (three.js Matrix4.fromArray)
 * @property {number[]} axis
 * @property {{ lower: number, upper: number } | null} [limits]
 */

/**
 * @typedef {object} VisualMeta
 * @property {string} name
 * @property {number} geometry  index into the decoded geometries
 * @property {number[] | null} [color]  r, g, b, a in 0..1
 */

/**
 * @typedef {object} LinkMeta
 * @property {string} name
 * @property {VisualMeta[]} visuals
 */

/**
 * The metadata of an encoded model; the binary format itself is described in decode.js.
 * @typedef {object} ModelMeta
 * @property {string} root  the root link's name
 * @property {LinkMeta[]} links
 * @property {JointMeta[]} joints
 * @property {[number[], number[]]} bounds  lower and upper corner (m), Z up
 * @property {number | null} [total_mass]
 * @property {any[]} buffers
 * @property {any[]} [geometries]
 */

export {};
