// @ts-check
// Generated from Python by `python -m gizmo_notebook.studio._protocol`: do not edit.
// Sources: gizmo_notebook/studio/_protocol.py, gizmo_notebook/viewer/_protocol.py.

export const JOINT_TYPES = Object.freeze(["revolute", "continuous", "prismatic", "fixed", "floating", "planar", "ball"]);
export const JOINT = Object.freeze({"REVOLUTE": "revolute", "CONTINUOUS": "continuous", "PRISMATIC": "prismatic", "FIXED": "fixed", "FLOATING": "floating", "PLANAR": "planar", "BALL": "ball"});
export const SINGLE_DOF_JOINT_TYPES = Object.freeze(["revolute", "continuous", "prismatic"]);
export const JOINT_DOF = Object.freeze({"revolute": 1, "continuous": 1, "prismatic": 1, "ball": 3, "planar": 3, "floating": 6, "fixed": 0});
export const VIEWER_MESSAGES = Object.freeze({"NEED": "need", "READY": "ready", "SCREENSHOT": "screenshot"});
export const PACK_ALIGN = Object.freeze(16);
export const ASSET_STATUSES = Object.freeze(["pending", "processing", "ready", "failed", "cancelled"]);
export const STATUS = Object.freeze({"PENDING": "pending", "PROCESSING": "processing", "READY": "ready", "FAILED": "failed", "CANCELLED": "cancelled"});
export const RUNNING_STATUSES = Object.freeze(["pending", "processing"]);
export const FORMAT_LABELS = Object.freeze({"isaac_sim_usd": "USD (Isaac Sim)", "isaac_sim_urdf": "URDF (Isaac Sim)", "mujoco_mjcf": "MJCF (MuJoCo)", "mjcf": "MJCF (MuJoCo)", "usd": "USD (Isaac Sim)", "sdf": "SDF (Gazebo)", "urdf": "URDF (Isaac Sim)"});
export const STUDIO_REQUESTS = Object.freeze({"GENERATE": "generate", "BATCH": "batch", "RETRY": "retry", "DOWNLOAD": "download", "LOAD_MORE": "load_more", "REFRESH": "refresh", "EXPORT": "export", "PREVIEW": "preview", "OPEN_PREVIEW": "open_preview", "CLOSE_PREVIEW": "close_preview", "PHYSICS": "physics", "THUMB": "thumb", "THUMB_PNG": "thumb_png", "CANCEL": "cancel", "DISMISS": "dismiss"});
export const STUDIO_REPLIES = Object.freeze({"GEOMETRY": "geometry", "GEOMETRY_ERROR": "geometry_error", "THUMB": "thumb", "DOWNLOAD": "download", "SUBMITTED": "submitted"});
export const GENERATE_MODES = Object.freeze({"ASSET": "asset", "SCENE": "scene"});
