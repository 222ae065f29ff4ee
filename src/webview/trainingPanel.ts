// The training panel's page (runs in the webview): one view restores its state, says `ready`, then draws the run's loss, evaluation, gradient norms, update ratios, histograms, input images and warnings with uPlot.
import 'uplot/dist/uPlot.min.css';
import { PanelView } from './panelView';

new PanelView(document.getElementById('app') ?? document.body).start();
