// What the results page (gtrs/viz/html_page.py) uses of three.js, bundled into one classic script
// that defines the global GTRS3D (pages opened from disk cannot load ES modules).
export {
  AmbientLight, BufferAttribute, BufferGeometry, Color, DirectionalLight, Group, HemisphereLight, Mesh,
  MeshStandardMaterial, PerspectiveCamera, Scene, SphereGeometry, MeshBasicMaterial, Vector3, WebGLRenderer,
  GridHelper, Box3, AnimationMixer, Clock, LoopRepeat,
} from 'three';
export { OrbitControls } from 'three/addons/controls/OrbitControls.js';
export { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
