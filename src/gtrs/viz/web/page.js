// The results page: one card per body (the photo or a keypoint plot, and a 3D view to turn around).
// Every 3D view is drawn by one WebGL renderer into its card's rectangle (browsers allow only a few
// WebGL contexts per page), and only when something changed.
(function () {
  const T = GTRS3D;  // the bundled part of three.js (three-bundle.min.js)
  const data = JSON.parse(document.getElementById('gtrs-data').textContent);
  const started = performance.now();
  const canvas = document.getElementById('gl');
  function warn(text) {  // shown in the page's header, and kept for tests (data-error)
    const note = document.createElement('strong');
    note.className = 'warn';
    note.textContent = text;
    document.querySelector('header').appendChild(note);
    document.body.dataset.error = text;
  }
  let renderer = null;  // without WebGL the pictures and keypoints still show
  try {
    renderer = new T.WebGLRenderer({ canvas, antialias: true, alpha: true });
    renderer.setPixelRatio(window.devicePixelRatio);
    renderer.setClearColor(0x000000, 0);
  } catch (error) {
    warn(`3D views need WebGL, which this browser does not offer here (${error.message})`);
  }
  const views = [];
  const show = { keypoints: true, joints: false, overlay: true };

  function decodeBase64(text, Type) {
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }
  const triangles = new Map();  // one index buffer per topology, shared by its bodies
  function triangleIndex(k) {
    if (!triangles.has(k)) triangles.set(k, new T.BufferAttribute(decodeBase64(data.faces[k], Uint32Array), 1));
    return triangles.get(k);
  }

  // COCO-19 bones (the 17 COCO keypoints, then the pelvis and the neck), as drawn on the 2D plots.
  const BONES = [[0, 1], [0, 2], [1, 3], [2, 4], [18, 5], [18, 6], [5, 7], [7, 9], [6, 8], [8, 10],
    [17, 11], [17, 12], [11, 13], [13, 15], [12, 14], [14, 16], [17, 18], [0, 18]];
  const LEFT = new Set([1, 3, 5, 7, 9, 11, 13, 15]);

  function drawKeypoints(canvas2d, body) {
    // The photo's frame when there is a photo; else the keypoints' own box, so the plot fills the panel.
    let [x0, y0, w, h] = [0, 0, ...body.image_size];
    const seen = (body.frames ? body.frames.flat() : body.keypoints).filter((p) => p[2] > 0);
    if (body.photo === null && body.overlay === null && seen.length > 1) {
      const xs = seen.map((p) => p[0]), ys = seen.map((p) => p[1]);
      const pad = 0.15 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1);
      [x0, y0] = [Math.min(...xs) - pad, Math.min(...ys) - pad];
      [w, h] = [Math.max(...xs) + pad - x0, Math.max(...ys) + pad - y0];
    }
    const box = canvas2d.getBoundingClientRect();
    canvas2d.width = Math.max(1, Math.round(box.width));
    canvas2d.height = Math.max(1, Math.round(box.height));
    const ctx = canvas2d.getContext('2d');
    ctx.clearRect(0, 0, canvas2d.width, canvas2d.height);
    if (!show.keypoints) return;
    const s = Math.min(canvas2d.width / w, canvas2d.height / h);  // object-fit: contain
    const ox = (canvas2d.width - s * w) / 2, oy = (canvas2d.height - s * h) / 2;
    const kp = body.frames ? body.frames[body.frame || 0] : body.keypoints;
    const at = (j) => [ox + s * (kp[j][0] - x0), oy + s * (kp[j][1] - y0)];
    ctx.lineWidth = 2;
    for (const [a, b] of BONES) {
      if (kp[a][2] <= 0 || kp[b][2] <= 0) continue;
      ctx.strokeStyle = LEFT.has(b) ? '#2a7de1' : '#e1562a';
      ctx.beginPath(); ctx.moveTo(...at(a)); ctx.lineTo(...at(b)); ctx.stroke();
    }
    ctx.fillStyle = '#111';
    kp.forEach((p, j) => { if (p[2] > 0) { const [x, y] = at(j); ctx.fillRect(x - 2, y - 2, 4, 4); } });
  }

  function makeCard(body, index) {
    const card = document.createElement('section');
    card.className = 'card';
    card.innerHTML = `<h2></h2><div class="row"><div class="pic"></div><div class="view">
      <button type="button">reset view</button></div></div><div class="meta"></div>`;
    if (body.glb) {  // a sequence: play / pause and a frame slider under the pictures
      const timeline = document.createElement('div');
      timeline.className = 'timeline';
      timeline.innerHTML = `<button type="button">play</button><input type="range" min="0" value="0" step="1"><span></span>`;
      card.insertBefore(timeline, card.querySelector('.meta'));
    }
    card.querySelector('h2').textContent = body.title;
    card.querySelector('.meta').textContent = body.meta;
    const pic = card.querySelector('.pic');
    const photo = body.photo === null ? null : data.images[body.photo];
    const overlay = body.overlay === null ? null : data.images[body.overlay];
    if (photo || overlay) {
      const img = document.createElement('img');
      img.alt = body.title;
      img.dataset.photo = photo || overlay;
      img.dataset.overlay = overlay || photo;
      img.src = show.overlay ? img.dataset.overlay : img.dataset.photo;
      pic.appendChild(img);
    }
    const plot = document.createElement('canvas');
    pic.appendChild(plot);
    document.querySelector('main').appendChild(card);
    return { card, pic, plot, view: card.querySelector('.view'), reset: card.querySelector('.view button'), body, index };
  }

  function addLights(scene) {
    scene.add(new T.HemisphereLight(0xffffff, 0x667788, 1.6));
    const sun = new T.DirectionalLight(0xffffff, 1.8);
    sun.position.set(1, 2, 3);
    scene.add(sun);
  }

  // A camera in front of the body (viewer axes: +Y up, facing +Z) that sees a box of ``size``.
  function addCamera(entry, size) {
    const camera = new T.PerspectiveCamera(35, 3 / 4, 0.01, 100);
    const distance = 1.25 * Math.max(size.y, size.x * 4 / 3) / (2 * Math.tan((35 * Math.PI) / 360));
    const home = new T.Vector3(0, 0, distance);
    camera.position.copy(home);
    const controls = new T.OrbitControls(camera, entry.view);
    controls.target.set(0, 0, 0);
    controls.enableDamping = false;
    controls.update();
    controls.addEventListener('change', requestRender);
    entry.reset.addEventListener('click', () => { camera.position.copy(home); controls.target.set(0, 0, 0); controls.update(); });
    Object.assign(entry, { camera, controls, home });
  }

  // A sequence: the skinned, animated GLB of its track, played by three.js's animation mixer.
  function makeAnimatedScene(entry) {
    const body = entry.body;
    const scene = new T.Scene();
    addLights(scene);
    entry.scene = scene;
    entry.joints = new T.Group();  // (no 3D joint markers for sequences)
    addCamera(entry, new T.Vector3(body.extent[0], body.extent[1], body.extent[2]));
    const frames = body.frames.length;
    const [play, slider, label] = entry.card.querySelectorAll('.timeline button, .timeline input, .timeline span');
    slider.max = String(frames - 1);
    const show = (frame) => {
      body.frame = frame;
      slider.value = String(frame);
      label.textContent = `frame ${frame + 1} / ${frames}`;
      if (entry.mixer) entry.mixer.setTime(frame / body.fps);
      drawKeypoints(entry.plot, body);
      requestRender();
    };
    let playing = false, clock = null, time = 0;
    const tick = () => {
      if (!playing) return;
      time = (time + clock.getDelta()) % (frames / body.fps);
      show(Math.min(frames - 1, Math.floor(time * body.fps)));
      requestAnimationFrame(tick);
    };
    play.addEventListener('click', () => {
      playing = !playing;
      play.textContent = playing ? 'pause' : 'play';
      if (playing) { clock = new T.Clock(); time = (body.frame || 0) / body.fps; requestAnimationFrame(tick); }
    });
    slider.addEventListener('input', () => show(parseInt(slider.value, 10)));
    entry.show = show;
    return new T.GLTFLoader().parseAsync(decodeBase64(body.glb, Uint8Array).buffer, '').then((gltf) => {
      gltf.scene.position.set(-body.centre[0], -body.centre[1], -body.centre[2]);
      scene.add(gltf.scene);
      entry.mixer = new T.AnimationMixer(gltf.scene);
      entry.mixer.clipAction(gltf.animations[0]).play();
      show(0);
    });
  }

  function makeScene(entry) {
    const body = entry.body;
    const q = decodeBase64(body.positions, Int16Array);
    const positions = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) positions[i] = body.offset[i % 3] + body.scale * q[i];
    const geometry = new T.BufferGeometry();
    geometry.setAttribute('position', new T.BufferAttribute(positions, 3));
    geometry.setIndex(triangleIndex(body.faces));
    geometry.computeVertexNormals();
    const scene = new T.Scene();
    addLights(scene);
    const mesh = new T.Mesh(geometry, new T.MeshStandardMaterial({ color: 0xc9a27e, roughness: 0.7 }));
    scene.add(mesh);
    const joints = new T.Group();
    const ball = new T.SphereGeometry(0.018, 12, 8);
    const red = new T.MeshBasicMaterial({ color: 0xd62020, depthTest: false });
    for (const p of body.joints3d) {
      const s = new T.Mesh(ball, red);
      s.position.set(p[0], p[1], p[2]);
      s.renderOrder = 1;
      joints.add(s);
    }
    joints.visible = show.joints;
    scene.add(joints);
    Object.assign(entry, { scene, joints });
    addCamera(entry, new T.Box3().setFromObject(mesh).getSize(new T.Vector3()));
  }

  let pending = false;
  function requestRender() {
    if (!pending) { pending = true; requestAnimationFrame(render); }
  }

  function render() {
    pending = false;
    if (!renderer) return;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (canvas.width !== Math.floor(width * renderer.getPixelRatio()) || canvas.height !== Math.floor(height * renderer.getPixelRatio())) {
      renderer.setSize(width, height, false);
    }
    renderer.setScissorTest(false);
    renderer.clear();
    renderer.setScissorTest(true);
    for (const v of views) {
      const r = v.view.getBoundingClientRect();
      if (r.bottom < 0 || r.top > height || r.right < 0 || r.left > width) continue;  // off screen
      const y = height - r.bottom;
      renderer.setViewport(r.left, y, r.width, r.height);
      renderer.setScissor(r.left, y, r.width, r.height);
      v.camera.aspect = r.width / r.height;
      v.camera.updateProjectionMatrix();
      renderer.render(v.scene, v.camera);
    }
  }

  // Turn a view about the vertical axis through its target (the page's tests and the arrow keys).
  function rotate(index, degrees) {
    const v = views[index];
    const offset = v.camera.position.clone().sub(v.controls.target);
    offset.applyAxisAngle(new T.Vector3(0, 1, 0), (degrees * Math.PI) / 180);
    v.camera.position.copy(v.controls.target).add(offset);
    v.controls.update();
    requestRender();
  }

  function redrawPlots() { views.forEach((v) => drawKeypoints(v.plot, v.body)); }

  document.getElementById('show-keypoints').addEventListener('change', (e) => { show.keypoints = e.target.checked; redrawPlots(); });
  document.getElementById('show-joints').addEventListener('change', (e) => {
    show.joints = e.target.checked;
    views.forEach((v) => { v.joints.visible = show.joints; });
    requestRender();
  });
  document.getElementById('show-overlay').addEventListener('change', (e) => {
    show.overlay = e.target.checked;
    document.querySelectorAll('.pic img').forEach((img) => { img.src = show.overlay ? img.dataset.overlay : img.dataset.photo; });
  });

  const loading = [];
  data.bodies.forEach((body, i) => {
    const entry = makeCard(body, i);
    if (body.glb) loading.push(makeAnimatedScene(entry)); else makeScene(entry);
    views.push(entry);
  });
  redrawPlots();
  window.addEventListener('scroll', requestRender, { passive: true });
  window.addEventListener('resize', () => { redrawPlots(); requestRender(); });
  Promise.all(loading).then(finish, (error) => { warn(`a sequence could not be loaded: ${error}`); finish(); });

  function finish() {
    const turn = /rotate=(-?[0-9.]+)/.exec(location.hash);
    if (turn) views.forEach((_, i) => rotate(i, parseFloat(turn[1])));
    const frame = /frame=([0-9]+)/.exec(location.hash);  // sequences: start at this frame
    if (frame) views.forEach((v) => v.show && v.show(Math.min(parseInt(frame[1], 10), v.body.frames.length - 1)));
    render();
    window.gtrsPage = { views: views.length, rotate, render };
    // for tests and benchmarks (gtrs.viz.browser): when the page became interactive, where the first view is
    if (views.length) {
      const r = views[0].view.getBoundingClientRect();
      document.body.dataset.view0 = [r.left, r.top, r.width, r.height].map(Math.round).join(',');
    }
    document.body.dataset.scriptMs = String(Math.round(performance.now() - started));
    document.body.dataset.readyMs = String(Math.round(performance.now()));  // since navigation began
  }
})();
