// The join screen: name, room, a preview of the camera and microphone, and which devices to use.
// Resolves with what the person chose; the session (client.js) takes the stream as it is.

const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export class JoinScreen {
  /**
   * @param form the #join-form element (its fields: name, room, camera, microphone)
   * @param constraints getUserMedia constraints for the preview and the call
   * @param record the page's event log
   */
  constructor(form, constraints, record) {
    this.form = form;
    this.constraints = constraints;
    this.record = record;
    this.stream = null;
    this.preview = form.querySelector('#preview');
    this.camera = form.querySelector('#camera-select');
    this.microphone = form.querySelector('#microphone-select');
    this.message = form.querySelector('#join-message');
    this.meter = form.querySelector('#mic-level');
  }

  /** Shows the form with `room` and `name` filled in; resolves {room, name, stream} on Join. */
  show(room, name) {
    this.form.hidden = false;
    this.form.elements.room.value = room || '';
    this.form.elements.name.value = name || '';
    this.startPreview().catch(() => {});
    this.camera.addEventListener('change', () => this.startPreview());
    this.microphone.addEventListener('change', () => this.startPreview());
    return new Promise((resolve) => {
      this.form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const chosenRoom = this.form.elements.room.value.trim();
        if (!ROOM_PATTERN.test(chosenRoom)) {
          this.say('A room name is 1-64 characters of A-Z a-z 0-9 _ . -');
          return;
        }
        this.form.hidden = true;
        this.stopMeter();
        resolve({ room: chosenRoom, name: this.form.elements.name.value.trim().slice(0, 64), stream: this.stream });
      });
    });
  }

  say(text) {
    this.message.textContent = text;
    this.message.hidden = !text;
  }

  async startPreview() {
    const video = { ...(this.constraints.video || {}) };
    const audio = this.constraints.audio === false ? false : {};
    if (this.camera.value) video.deviceId = { exact: this.camera.value };
    if (audio && this.microphone.value) audio.deviceId = { exact: this.microphone.value };
    if (this.stream) for (const t of this.stream.getTracks()) t.stop();
    this.stream = null;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: audio || false, video });
      this.say('');
    } catch (e) {
      this.say(`Camera or microphone unavailable (${e.name || e}); you can still join and watch.`);
      this.record('preview-failed', { error: String(e.name || e) });
      return;
    }
    this.preview.srcObject = this.stream;
    this.record('preview', { tracks: this.stream.getTracks().map((t) => t.kind).join(' ') });
    await this.listDevices();
    this.startMeter();
  }

  async listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (select, kind, current) => {
      const chosen = select.value || (current && current.getSettings().deviceId) || '';
      select.textContent = '';
      for (const d of devices.filter((x) => x.kind === kind)) {
        const option = document.createElement('option');
        option.value = d.deviceId;
        option.textContent = d.label || `${kind} ${select.length + 1}`;
        select.append(option);
      }
      if (chosen) select.value = chosen;
    };
    fill(this.camera, 'videoinput', this.stream.getVideoTracks()[0]);
    fill(this.microphone, 'audioinput', this.stream.getAudioTracks()[0]);
  }

  /** A level bar under the preview, so the person sees the microphone works before joining. */
  startMeter() {
    this.stopMeter();
    const track = this.stream && this.stream.getAudioTracks()[0];
    if (!track || typeof AudioContext !== 'function') return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const tick = () => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
      this.meter.value = Math.min(1, peak / 64);
      this.meterFrame = requestAnimationFrame(tick);
    };
    this.meterContext = context;
    tick();
  }

  stopMeter() {
    if (this.meterFrame) cancelAnimationFrame(this.meterFrame);
    if (this.meterContext) this.meterContext.close().catch(() => {});
    this.meterFrame = null;
    this.meterContext = null;
  }
}
